import { H } from '../../heuristics/heuristic-names.js';
import { sevenZipUnpacker } from './seven-zip-unpacker.js';

/** One unpacker per format, each forcing 7-Zip's format (`-t`) so content is never reinterpreted. */
export const sevenZipArchiveUnpacker = sevenZipUnpacker('7z', ['CL_TYPE_7Z'], '7z', H.encrypted7z);
/** RAR 5 has its own 7-Zip handler: `Rar!\x1a\x07\x01\x00` vs RAR 4's `Rar!\x1a\x07\x00`. */
export const rarUnpacker = sevenZipUnpacker('rar', ['CL_TYPE_RAR'], (d) => (d[6] === 0x01 ? 'Rar5' : 'Rar'), H.encryptedRar);
export const cabUnpacker = sevenZipUnpacker('cab', ['CL_TYPE_MSCAB'], 'Cab', undefined);
export const arjUnpacker = sevenZipUnpacker('arj', ['CL_TYPE_ARJ'], 'Arj', undefined);
export const chmUnpacker = sevenZipUnpacker('chm', ['CL_TYPE_MSCHM'], 'Chm', undefined);
