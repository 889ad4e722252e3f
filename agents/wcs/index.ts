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
export { readWcs, toNumber, toNumbers, type WcsReadResult, type WcsForm, type ReadWcsOptions } from './readWcs.ts';
export { wcsToCards, cardsFromRecord } from './writeWcs.ts';
export { parseFitsHeader, formatFitsHeader, formatCard, parseCardValue } from './fitsHeader.ts';
export { writeFitsTable, readFitsTable } from './fitsTable.ts';
