import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";

/** The port of the SMTP server global-setup.ts starts (FULLMAKT_SMTP_URL in the Makefile). */
export const SMTP_PORT = 2525;

/** Where that server keeps what it receives (a Maildir). */
export function maildir(): string {
  return process.env.E2E_MAILDIR ?? resolve(__dirname, "../../target/e2e-mail");
}

/** One received e-mail: recipient, decoded subject and decoded plain-text body. */
export interface Mail {
  to: string;
  subject: string;
  body: string;
}

function decodeWords(header: string): string {
  // RFC 2047: white space between two encoded words is dropped, before plain text it stays.
  return header.replace(/=\?utf-8\?([bq])\?([^?]*)\?=(?:\s+(?==\?))?/gi, (_, enc: string, text: string) =>
    enc.toLowerCase() === "b"
      ? Buffer.from(text, "base64").toString("utf8")
      : Buffer.from(unquote(text.replace(/_/g, " ")), "binary").toString("utf8"),
  );
}

function unquote(text: string): string {
  return text.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

function parse(raw: string): Mail {
  const split = raw.search(/\r?\n\r?\n/);
  const head = raw.slice(0, split).replace(/\r?\n[ \t]+/g, " ");
  const body = raw.slice(split).trim();
  const header = (name: string) => head.match(new RegExp(`^${name}:\\s*(.*)$`, "im"))?.[1]?.trim() ?? "";
  const encoding = header("Content-Transfer-Encoding").toLowerCase();
  const text =
    encoding === "base64"
      ? Buffer.from(body.replace(/\s+/g, ""), "base64").toString("utf8")
      : encoding === "quoted-printable"
        ? Buffer.from(unquote(body), "binary").toString("utf8")
        : body;
  return { to: header("To").replace(/.*</, "").replace(/>.*/, ""), subject: decodeWords(header("Subject")), body: text };
}

/** Every e-mail received so far, oldest first. */
export function received(): Mail[] {
  const dir = join(maildir(), "new");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(a).mtimeMs - statSync(b).mtimeMs || a.localeCompare(b))
    .map((f) => parse(readFileSync(f, "utf8")));
}

/**
 * Waits (the server's mail job runs every 5 seconds) for the `count`-th e-mail to `to`
 * whose subject starts with `subject`, and answers it.
 */
export async function mailTo(to: string, subject: string, count = 1): Promise<Mail> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const found = received().filter((m) => m.to === to && m.subject.startsWith(subject));
    if (found.length >= count) return found[count - 1];
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`no e-mail "${subject}…" to ${to} within 30 s; received: ${JSON.stringify(received().map((m) => [m.to, m.subject]))}`);
}
