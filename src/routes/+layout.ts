// A client-only app: keys never leave the browser, so nothing is rendered on a server.
export const ssr = false;
export const prerender = false;
