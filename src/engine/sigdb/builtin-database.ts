/**
 * The database Moat always loads, whatever else is configured: it detects the EICAR test file
 * (https://www.eicar.org/download-anti-malware-testfile/), so every installation can be tested
 * end to end without real malware.
 */
export const EICAR_SIGNATURE_NAME = 'Eicar-Test-Signature';

/** The 68-byte EICAR test string. */
export const EICAR = 'X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*';

export const BUILTIN_VERSION = 'moat-builtin:1';

/** `.ndb` lines: the test string at offset 0 of any object (the file may be followed by whitespace). */
export function builtinNdbLines(): string[] {
  return [`${EICAR_SIGNATURE_NAME}:0:0:${Buffer.from(EICAR, 'latin1').toString('hex')}`];
}
