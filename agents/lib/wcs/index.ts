/**
 * WCS library: TAN(+SIP) projection, reading every common header encoding,
 * writing FITS cards, and the derived quantities Sidereal stores.
 */
export { tanProject, tanDeproject, angularDistance, normalizeRa } from './tan.ts';
export { type Sip, sipForward, sipInverse, fitInverseSip, fitPolynomial2, evalPoly, zeroCoefficients } from './sip.ts';
export {
  type Wcs, type WcsSummary, describeWcs, pixelToSky, skyToPixel, pixelToIntermediate, intermediateToPixel,
  pixelScaleArcsec, cdDeterminant, wcsProblem, wcsFromScaleRotation, flipWcsY, WCS_LIMITS,
} from './wcs.ts';
export { readWcs, wcsFromRecord, toNumber, toNumbers, type WcsReadResult, type WcsForm, type ReadWcsOptions } from './readWcs.ts';
export { wcsToCards, cardsFromRecord } from './writeWcs.ts';
// FITS headers: the one reader and writer, beside the image readers
export { parseFitsHeader, formatFitsHeader, formatCard } from '../formats/fits-header.ts';
export { writeFitsTable, readFitsTable } from './fitsTable.ts';
