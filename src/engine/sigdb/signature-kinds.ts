/** How each database file extension is handled. PUA variants end in `u` (`.hdu` = PUA `.hdb`). */
export type LoaderKind = 'hdb' | 'hsb' | 'mdb' | 'msb' | 'fp' | 'sfp' | 'ndb' | 'ldb' | 'ign' | 'ign2' | 'container' | 'unsupported' | 'ignore';

const KINDS: Record<string, LoaderKind> = {
  hdb: 'hdb', hsb: 'hsb', mdb: 'mdb', msb: 'msb', ndb: 'ndb', ldb: 'ldb',
  hdu: 'hdb', hsu: 'hsb', mdu: 'mdb', msu: 'msb', ndu: 'ndb', ldu: 'ldb',
  fp: 'fp', sfp: 'sfp', ign: 'ign', ign2: 'ign2',
  cvd: 'container', cld: 'container',
  // Kinds Moat does not implement yet: counted and reported at load, never silently dropped.
  cbc: 'unsupported', pdb: 'unsupported', gdb: 'unsupported', wdb: 'unsupported', idb: 'unsupported',
  cdb: 'unsupported', imp: 'unsupported', crb: 'unsupported', cat: 'unsupported', pwdb: 'unsupported',
  yar: 'unsupported', yara: 'unsupported', ftm: 'unsupported', hwp: 'unsupported', cud: 'unsupported',
  // Not signatures: manifests, licences, dynamic configuration (honoured by nothing yet), update state.
  info: 'ignore', cfg: 'ignore', dat: 'ignore', txt: 'ignore', md: 'ignore', sign: 'ignore', COPYING: 'ignore',
};

const PUA_EXTENSIONS = new Set(['hdu', 'hsu', 'mdu', 'msu', 'ndu', 'ldu']);

export function extensionOf(name: string): string {
  const base = name.slice(name.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot < 0 ? base : base.slice(dot + 1);
}

export function loaderKindOf(name: string): LoaderKind | undefined {
  return KINDS[extensionOf(name)];
}

export function isPuaFile(name: string): boolean {
  return PUA_EXTENSIONS.has(extensionOf(name));
}
