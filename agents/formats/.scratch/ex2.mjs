import exifr from 'exifr';
const f='/work/shared/testdata/raw/exiftool-Nikon.nef';
const o = await exifr.parse(f, { tiff: true, exif: true, gps: true, xmp: false, iptc: false, ifd1: false, makerNote: false, reviveValues: false, translateValues: false, silentErrors: false }).catch(e=>console.log('E',e));
console.log(o);
for (const opts of [{exif:true},{tiff:true,exif:false}, {}]) { try { console.log(await exifr.parse(f, {...opts, silentErrors:false})); } catch(e){ console.log('ERR', e.stack.split('\n').slice(0,4).join(' | ')); } }
