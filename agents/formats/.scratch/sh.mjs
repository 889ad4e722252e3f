import sharp from 'sharp';
const p='/work/shared/testdata/platesolve/tetra3-2019-07-29T204726_Alt60_Azi45_Try1.tiff';
console.log(await sharp(p).metadata());
const r = await sharp(p).raw({depth:'ushort'}).toBuffer({resolveWithObject:true});
console.log(r.info, r.data.length);
const r2 = await sharp(p).raw().toBuffer({resolveWithObject:true});
console.log(r2.info, r2.data.length);
// float tiff
const f = new Float32Array(6*4).map((_,i)=>i/24);
await sharp(f, {raw:{width:6,height:4,channels:1}}).tiff().toFile('/tmp/f.tiff');
console.log(await sharp('/tmp/f.tiff').metadata());
const r3 = await sharp('/tmp/f.tiff').raw({depth:'float'}).toBuffer({resolveWithObject:true});
console.log(r3.info, new Float32Array(r3.data.buffer, r3.data.byteOffset, r3.data.length/4));
const r4 = await sharp('/tmp/f.tiff').raw().toBuffer({resolveWithObject:true});
console.log(r4.info, r4.data);
const j='/work/shared/testdata/platesolve/an-m44-1910-04-01.jpg';
console.log(await sharp(j).metadata());
