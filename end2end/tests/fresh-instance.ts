/** Where the fresh instance (no demo data, real SMTP relay) and its mail server listen. */
export const FRESH_PORT = Number(process.env.LIAISON_E2E_FRESH_PORT ?? 3101);
export const FRESH_URL = `http://127.0.0.1:${FRESH_PORT}`;
export const FRESH_SMTP_PORT = Number(process.env.LIAISON_E2E_SMTP_PORT ?? 2526);
export const FRESH_MAIL_HTTP_PORT = Number(process.env.LIAISON_E2E_MAIL_HTTP_PORT ?? 2581);
export const FRESH_MAIL_URL = `http://127.0.0.1:${FRESH_MAIL_HTTP_PORT}`;
/** The first manager, made with `liaison user add` before the server starts. */
export const FRESH_MANAGER = { email: "fern.manager@programme.example.org", password: "fern-first-long-passphrase" };
/** The demo instance's inbound SMTP listener (bounces and replies come back to it). */
export const INBOUND_SMTP_PORT = Number(process.env.LIAISON_E2E_INBOUND_PORT ?? 2528);
