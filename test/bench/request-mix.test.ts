import t from 'tap';
import { reportSequence } from '../../bench/lib/report-bodies.js';
import { groupShares, mixTargets, rotation, weightedCycle } from '../../bench/lib/request-mix.js';

t.test('a weighted cycle holds every target exactly its weight, spread out rather than in runs', async (t) => {
  const targets = [
    { name: 'read a', weight: 60 },
    { name: 'read b', weight: 30 },
    { name: 'write', weight: 10 },
  ];
  const cycle = weightedCycle(targets);
  t.equal(cycle.length, 100);
  for (const target of targets) t.equal(cycle.filter((slot) => slot === target).length, target.weight, target.name);

  const writeSlots = cycle.flatMap((slot, i) => (slot.name === 'write' ? [i] : []));
  const gaps = writeSlots.slice(1).map((slot, i) => slot - writeSlots[i]!);
  t.ok(
    gaps.every((gap) => gap === 10),
    `a write every 10th request, gaps ${gaps.join(',')}`,
  );
  // Any 10 consecutive requests of the endless stream hold exactly one write.
  const stream = [...cycle, ...cycle];
  for (let start = 0; start < cycle.length; start++) {
    t.equal(stream.slice(start, start + 10).filter((slot) => slot.name === 'write').length, 1);
  }
});

t.test('a weighted cycle refuses weights that are not positive integers', async (t) => {
  t.throws(() => weightedCycle([{ weight: 0 }]), { message: 'weights must be positive integers' });
  t.throws(() => weightedCycle([{ weight: 1.5 }]), { message: 'weights must be positive integers' });
});

t.test('rotation goes round its items in order', async (t) => {
  const next = rotation(['a', 'b', 'c']);
  t.same(Array.from({ length: 7 }, next), ['a', 'b', 'c', 'a', 'b', 'c', 'a']);
  t.throws(() => rotation([]), { message: 'nothing to rotate through' });
});

const reporters = [1, 2].map((unitId) => ({ unitId, unitName: `县 ${unitId}`, token: `token-${unitId}` }));
const ids = {
  taskIds: [1, 2, 3],
  measureIds: [10, 11],
  unitIds: [5, 6],
  chapterIds: [7],
  planIds: [1],
  indicatorIds: [20],
  readers: reporters,
};

t.test('the mix is 90% reads and 10% writes in requests per 100', async (t) => {
  const targets = mixTargets(ids, reportSequence(reporters, ids.measureIds));
  t.same(groupShares(targets), { read: 0.9, write: 0.1 });
  t.equal(weightedCycle(targets).length, 100);
  t.equal(new Set(targets.map((target) => target.name)).size, targets.length, 'names tell the kinds apart');
});

t.test('every request of the mix is a well-formed API call', async (t) => {
  const targets = mixTargets(ids, reportSequence(reporters, ids.measureIds));
  for (const target of targets) {
    for (let n = 0; n < 3; n++) {
      const request = target.next();
      t.match(request.path, /^\/api\/v1\/[\x21-\x7e]+$/, `${target.name}: an ASCII path (Chinese terms percent-encoded)`);
      t.equal(request.method, target.group === 'write' ? 'POST' : 'GET');
    }
  }
});

t.test("search terms are percent-encoded and report lists rotate through the reporters' keys", async (t) => {
  const targets = mixTargets(ids, reportSequence(reporters, ids.measureIds));
  const search = targets.find((target) => target.name === 'search')!.next();
  t.equal(new URL(search.path, 'http://x').searchParams.get('q'), '信用');
  const reports = targets.find((target) => target.name === 'reports list')!;
  t.same(
    [reports.next(), reports.next(), reports.next()].map((r) => r.headers?.authorization),
    ['Bearer token-1', 'Bearer token-2', 'Bearer token-1'],
  );
});

t.test('writes are distinct creations with a reporter key each', async (t) => {
  const write = mixTargets(ids, reportSequence(reporters, ids.measureIds)).find((target) => target.group === 'write')!;
  const sent = Array.from({ length: 4 }, () => write.next());
  t.ok(sent.every((r) => r.headers?.['content-type'] === 'application/json' && /^Bearer token-\d$/.test(r.headers.authorization ?? '')));
  const keys = sent.map((r) => {
    const body = JSON.parse(r.body!) as { measureId: number; period: string };
    return `${r.headers!.authorization} ${body.measureId} ${body.period}`;
  });
  t.equal(new Set(keys).size, keys.length, 'no (key, measure, period) repeats');
});
