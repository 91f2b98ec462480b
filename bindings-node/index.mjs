// ESM entry: the same addon as index.js, with named exports.
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)('./index.js');

export default native;
export const {
  Generator,
  Layout,
  ManualClock,
  PublicIds,
  RemoteGenerator,
  Segment,
  WideGenerator,
  WideLayout,
  capacity,
  compose,
  configure,
  defaultLayout,
  defaultNodes,
  defaultSource,
  encode,
  encodeWide,
  errorCodes,
  inspect,
  maxIdAt,
  minIdAt,
  next,
  nextBatch,
  nextString,
  parse,
  parseWide,
  ready,
  stats,
} = native;
export const { uuid7, uuid7Bytes, ulid, encodeUuid, parseUuid, encodeUlid, parseUlid } = native; // UUIDv7 and ULID
