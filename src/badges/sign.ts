import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { documentLoader } from './document-loader.js';
import { activeKeyPair, type BadgeContext, type IssuerRow } from './issuers.js';

/**
 * Signs with the issuer's active key: an embedded DataIntegrityProof, eddsa-rdfc-2022, assertionMethod. `proof` is
 * written as an array, as the OB 3.0 JSON Schema requires (NOTES.md §4); that does not change the signature.
 */
export async function signCredential(ctx: BadgeContext, issuer: IssuerRow, credential: Record<string, unknown>): Promise<Record<string, unknown>> {
  const key = await activeKeyPair(ctx, issuer);
  const suite = new DataIntegrityProof({ signer: key.signer(), cryptosuite });
  // Signing needs only the shipped contexts: nothing is dereferenced.
  const signed = await vc.issue({ credential: structuredClone(credential), suite, documentLoader: documentLoader() });
  return { ...signed, proof: Array.isArray(signed['proof']) ? signed['proof'] : [signed['proof']] };
}
