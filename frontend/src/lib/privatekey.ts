/** A PEM private key of any kind (PKCS#8, RSA, EC, encrypted). */
const PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;

/** Does the pasted text hold a private key? Such text is never sent to the server. */
export function holdsPrivateKey(text: string): boolean {
  return PRIVATE_KEY.test(text);
}

/**
 * What a certificate field says when a private key was pasted into it: it was not sent,
 * and a key that was pasted into a web page is to be replaced, not reused.
 */
export function privateKeyWarning(what: string): string {
  return `This is a private key, not a certificate, and it was not sent. Treat the key as exposed: make a new key pair and have a new certificate issued for it. Paste only ${what}.`;
}
