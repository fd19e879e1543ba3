// The demo vendor's software, as the README's curl journey: it signs JWT-bearer
// grants with its key (data/demo/, demo only), gets tokens from the portal's own
// token service, and calls the system register and request APIs with them.
import { APIRequestContext, expect } from "@playwright/test";
import { createPrivateKey, KeyObject, randomUUID, sign } from "crypto";
import { readFileSync } from "fs";
import path from "path";

export const VENDOR_CLIENT = "0193d0e0-0000-7000-8000-000000000001";
const KEY = createPrivateKey(readFileSync(path.join(__dirname, "..", "..", "data", "demo", "regnskapsappen-demo-key.pem")));

/** An API client that signs its grants: the demo vendor's, unless another is given. */
export type Signer = { clientId: string; kid: string; key: KeyObject };
const DEMO: Signer = { clientId: VENDOR_CLIENT, kid: "demo-1", key: KEY };

const b64 = (v: object | Buffer) => (Buffer.isBuffer(v) ? v : Buffer.from(JSON.stringify(v))).toString("base64url");

/** A signed grant for `scope`, and a system-user token for `org` (and `externalRef`) when given. */
function grant(issuer: string, scope: string, org?: string, externalRef?: string, signer: Signer = DEMO): string {
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> = { iss: signer.clientId, sub: signer.clientId, aud: issuer, scope, iat: now, exp: now + 60, jti: randomUUID() };
  if (org) {
    const details: Record<string, unknown> = { type: "urn:altinn:systemuser", systemuser_org: { authority: "iso6523-actorid-upis", ID: `0192:${org}` } };
    if (externalRef) details.externalRef = externalRef;
    claims.authorization_details = [details];
  }
  const input = `${b64({ alg: "ES256", kid: signer.kid, typ: "JWT" })}.${b64(claims)}`;
  const signature = sign("sha256", Buffer.from(input), { key: signer.key, dsaEncoding: "ieee-p1363" });
  return `${input}.${b64(signature)}`;
}

/** The token service's answer to a grant for `scope` (and a system user of `org` and `externalRef`). */
export async function tokenResponse(request: APIRequestContext, scope: string, org?: string, externalRef?: string, signer?: Signer) {
  const meta = await (await request.get("/.well-known/oauth-authorization-server")).json();
  return request.post("/token", {
    form: { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion: grant(meta.issuer, scope, org, externalRef, signer) },
  });
}

/** A token from /token, which must be given. */
export async function token(request: APIRequestContext, scope: string, org?: string, externalRef?: string, signer?: Signer): Promise<string> {
  const res = await tokenResponse(request, scope, org, externalRef, signer);
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).access_token;
}

/** The claims of a token (already checked by whoever issued it). */
export function claims(jwt: string): any {
  return JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString());
}

const PDP_KEY = "e2e-pdp-key-0123456789";

/** The PDP's decision for the system user to do `action` (read) on `resource` (the demo's, unless another is given) for an organisation. */
export async function decision(request: APIRequestContext, systemUser: string, org: string, resource = "fjordby-rapportering", action = "read") {
  const res = await request.post("/authorization/api/v1/authorize", {
    headers: { Authorization: `Bearer ${PDP_KEY}` },
    data: {
      Request: {
        AccessSubject: [{ Attribute: [{ AttributeId: "urn:altinn:systemuser:uuid", Value: systemUser }] }],
        Action: [{ Attribute: [{ AttributeId: "urn:oasis:names:tc:xacml:1.0:action:action-id", Value: action }] }],
        Resource: [{ Attribute: [{ AttributeId: "urn:altinn:resource", Value: resource }, { AttributeId: "urn:altinn:organization:identifier-no", Value: org }] }],
      },
    },
  });
  expect(res.status(), await res.text()).toBe(200);
  return (await res.json()).Response[0].Decision;
}

/**
 * The demo vendor registers a system offering `packages` (codes) and asks the
 * firm `firm` for an agent system user requiring them. With `clientId`, the
 * system names that API client, which can then get tokens for the system
 * user by `externalRef`. Returns the request (its id is the system user's
 * once approved, and its confirmUrl).
 */
export async function agentRequest(
  request: APIRequestContext,
  system: string,
  name: string,
  firm: string,
  packages: string[],
  token_client: { externalRef?: string; clientId?: string } = {},
) {
  const { externalRef, clientId } = token_client;
  const urns = packages.map((code) => ({ urn: `urn:altinn:accesspackage:${code}` }));
  const write = await token(request, "altinn:authentication/systemregister.write");
  const registered = await request.post("/authentication/api/v1/systemregister/vendor", {
    headers: { Authorization: `Bearer ${write}` },
    data: {
      id: system,
      vendor: { authority: "iso6523-actorid-upis", ID: "0192:310000000" },
      name: { nb: name, nn: name, en: name },
      description: { nb: `${name} for klientene.`, nn: `${name} for klientane.`, en: `${name} for clients.` },
      accessPackages: urns,
      isVisible: false,
      ...(clientId ? { clientId: [clientId] } : {}),
    },
  });
  expect(registered.status(), await registered.text()).toBe(200);
  const asker = await token(request, "altinn:authentication/systemuser.request.write");
  const res = await request.post("/authentication/api/v1/systemuser/request/vendor/agent", {
    headers: { Authorization: `Bearer ${asker}` },
    data: { systemId: system, partyOrgNo: firm, accessPackages: urns, ...(externalRef ? { externalRef } : {}) },
  });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()) as { id: string; confirmUrl: string };
}
