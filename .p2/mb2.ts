// @ts-nocheck
const N=Number(process.env.NN??100000),W=3;
let s=42;const rnd=()=>{s=(s*1103515245+12345)&0x7fffffff;return s/0x7fffffff;};
import { rowsOf, samplesF64 } from '../test/bench/harness.ts'; const rows = rowsOf(samplesF64(N));
const buf=new Uint8Array(8*1024*1024+8192);const dv=new DataView(buf.buffer);
const F64=2,F32=3;
function putNumber(buf,dv,p,x,policy){ if(policy===F64||(policy!==F32&&Math.fround(x)!==x&&x===x&&x!==Math.trunc(x))){buf[p]=0xfb;dv.setFloat64(p+1,x);return p+9;} return -1;}
function A(src,from,to,p,policy,check){for(let row=from;row<to;row++){const r=src[row];if(!Array.isArray(r)||r.length!==3)return -1;buf[p]=0x83;p++;for(let j=0;j<3;j++){const x=r[j];if(typeof x!=='number'||(check&&x-x!==0))return -1;p=putNumber(buf,dv,p,x,policy);}}return p;}
const f64=new Float64Array(1);const u8=new Uint8Array(f64.buffer);
function putNumberB(buf,p,x,policy){ if(policy===F64||(policy!==F32&&Math.fround(x)!==x&&x===x&&x!==Math.trunc(x))){buf[p]=0xfb;f64[0]=x;buf[p+1]=u8[7];buf[p+2]=u8[6];buf[p+3]=u8[5];buf[p+4]=u8[4];buf[p+5]=u8[3];buf[p+6]=u8[2];buf[p+7]=u8[1];buf[p+8]=u8[0];return p+9;} return -1;}
function B(src,from,to,p,policy,check){for(let row=from;row<to;row++){const r=src[row];if(!Array.isArray(r)||r.length!==3)return -1;buf[p]=0x83;p++;for(let j=0;j<3;j++){const x=r[j];if(typeof x!=='number'||(check&&x-x!==0))return -1;p=putNumberB(buf,p,x,policy);}}return p;}
function run(fn,name){const blk=292;let t;for(let it=0;it<(N<5000?6000:60);it++){if(it==(N<5000?2000:20))t=process.hrtime.bigint();let p=0;for(let r=0;r<N;r+=blk)p=fn(rows,r,Math.min(N,r+blk),p,1,true);}console.log(name,(Number(process.hrtime.bigint()-t)/(N<5000?4000:40)/1e3).toFixed(0),'us');}
run(A,'dataview');run(B,'bytes');run(A,'dataview');run(B,'bytes');
function C(src,from,to,p,policy,check){for(let row=from;row<to;row++){const r=src[row];buf[p]=0x83;p++;for(let j=0;j<3;j++){const x=r[j];buf[p]=0xfb;dv.setFloat64(p+1,x);p+=9;}}return p;}
function D(src,from,to,p,policy,check){for(let row=from;row<to;row++){const r=src[row];buf[p]=0x83;p++;for(let j=0;j<3;j++){const x=r[j];if(Math.fround(x)!==x) {buf[p]=0xfb;dv.setFloat64(p+1,x);p+=9;} else return -1;}}return p;}
function E(src,from,to,p,policy,check){for(let row=from;row<to;row++){const r=src[row];buf[p]=0x83;p++;for(let j=0;j<3;j++){const x=r[j]; p+= x> 1e300?1:9;}}return p;}
run(C,'write-only');run(D,'fround+write');run(E,'load only');run(C,'write-only');
function AW(src,width,from,to,p,policy,check,rows){for(let row=from;row<to;row++){const r=src[row];if(!Array.isArray(r)||r.length!==width)return -1;if(rows)p=width<24?((buf[p]=0x80|width),p+1):-5;for(let j=0;j<width;j++){const x=r[j];if(typeof x!=='number'||(check&&x-x!==0))return -1;p=putNumber(buf,dv,p,x,policy);}}return p;}
function runW(fn,name){const blk=292;let t;for(let it=0;it<(N<5000?6000:60);it++){if(it==(N<5000?2000:20))t=process.hrtime.bigint();let p=0;for(let r=0;r<N;r+=blk)p=fn(rows,3,r,Math.min(N,r+blk),p,1,true,true);}console.log(name,(Number(process.hrtime.bigint()-t)/(N<5000?4000:40)/1e3).toFixed(0),'us');}
runW(AW,'varwidth');run(A,'dataview');runW(AW,'varwidth');
