// snowid quickstart (ES modules). In your project: import ... from 'snowid'.
import { next, nextString, inspect, Generator, ManualClock } from '../../bindings-node/index.mjs';

console.log('id      ', next(), nextString());
console.log('inspect ', inspect(nextString()));

// Deterministic IDs for tests: a manual clock moves only when told to.
const clock = new ManualClock(new Date('2024-01-01T00:00:00Z'));
const gen = new Generator({ datacenter: 1, worker: 7, clock, onRegression: 'fail' });
const first = gen.next();
clock.advance(1);
console.log('manual  ', first, gen.next(), '(the same on every run and in every language)');
