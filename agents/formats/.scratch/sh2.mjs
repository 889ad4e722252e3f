import sharp from 'sharp';
import { writeFileSync } from 'node:fs';
function tiff(w,h,spp,bits,fmt,data){ // data: Uint8Array little-endian samples
  const entries=[[256,3,1,w],[257,3,1,h],[258,3,1,bits],[259,3,1,1],[262,3,1,spp===3?2:1],[273,4,1,0],[277,3,1,spp],[278,3,1,h],[279,4,1,data.length],[284,3,1,1],[339,3,1,fmt]];
  const ifdOff=8, ifdSize=2+entries.length*12+4; const dataOff=ifdOff+ifdSize;
  const buf=new Uint8Array(dataOff+data.length); const dv=new DataView(buf.buffer);
  buf.set([0x49,0x49,42,0]); dv.setUint32(4,ifdOff,true); dv.setUint16(ifdOff,entries.length,true);
  entries.forEach(([t,ty,c,v],i)=>{const e=ifdOff+2+i*12; dv.setUint16(e,t,true);dv.setUint16(e+2,ty,true);dv.setUint32(e+4,c,true); if(t===273)v=dataOff; if(ty===3)dv.setUint16(e+8,v,true); else dv.setUint32(e+8,v,true);});
  buf.set(data,dataOff); return buf;
}
const f = new Float32Array(6*4).map((_,i)=>i/24);
writeFileSync('/tmp/f.tiff', tiff(6,4,1,32,3,new Uint8Array(f.buffer)));
console.log(await sharp('/tmp/f.tiff').metadata());
for (const cs of [undefined,'b-w','grey16']) {
 let s = sharp('/tmp/f.tiff'); if (cs) s=s.toColourspace(cs);
 const r3 = await s.raw({depth:'float'}).toBuffer({resolveWithObject:true});
 console.log(cs, r3.info, new Float32Array(r3.data.buffer, r3.data.byteOffset, r3.data.length/4).slice(0,8));
}
const r = await sharp('/work/shared/testdata/platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff').toColourspace('grey16').raw({depth:'ushort'}).toBuffer({resolveWithObject:true});
console.log(r.info);
const r5 = await sharp('/work/shared/testdata/platesolve/an-apod1.jpg').raw().toBuffer({resolveWithObject:true});
console.log(r5.info);
const r6 = await sharp('/work/shared/testdata/platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff').resize({width:512,height:384,kernel:'linear', fit:'fill'}).toColourspace('grey16').raw({depth:'ushort'}).toBuffer({resolveWithObject:true});
console.log(r6.info);
