import { useState, type ChangeEvent } from "react";

/** The most a certificate file may hold; the server takes 20,000 characters at most. */
const MAX_FILE_BYTES = 15_000;

function bytesOf(file: Blob): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(new Uint8Array(r.result as ArrayBuffer));
    r.onerror = () => reject(r.error ?? new Error("the file could not be read"));
    r.readAsArrayBuffer(file);
  });
}

/**
 * A certificate file as the certificate fields take it: a PEM file as its text, a DER
 * file (binary) as base64, which the server reads as well.
 */
export async function certificateText(file: Blob): Promise<string> {
  const bytes = await bytesOf(file);
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  if (text.includes("-----BEGIN")) return text;
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/**
 * "Or choose a file" beside a certificate field: PEM, CRT, CER or DER. The file is read
 * in the browser and put into the field, where it is checked like pasted text.
 */
export function CertificateFile({ id, label, onLoaded }: { id: string; label: string; onLoaded: (text: string) => void }) {
  const [problem, setProblem] = useState("");
  const onChange = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = ""; // choosing the same file again reads it again
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setProblem(`${file.name} is ${file.size.toLocaleString("en-GB")} bytes: a certificate file is at most ${MAX_FILE_BYTES.toLocaleString("en-GB")}. Choose the certificate itself.`);
      return;
    }
    try {
      const text = await certificateText(file);
      setProblem("");
      onLoaded(text);
    } catch {
      setProblem(`${file.name} could not be read. Choose it again, or paste the certificate.`);
    }
  };
  return (
    <div className="file-field">
      <label htmlFor={id}>{label}</label>
      <input id={id} type="file" accept=".pem,.crt,.cer,.der,application/x-x509-ca-cert,application/pkix-cert" onChange={(e) => void onChange(e)} />
      {problem && (
        <p id={`${id}-error`} className="field-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}
