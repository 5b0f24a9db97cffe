/**
 * The Dockerfile, read rather than built (no Docker engine here): it must build with the commands CI and
 * `npm start` use, and its final image must hold and run what the server needs, as a non-root user.
 */
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import ts from 'typescript';
import { migrationsFolder, projectRoot } from '../../src/db/client.js';
import { seedsDir } from '../../src/seed/load-seed.js';

interface Instruction {
  keyword: string;
  args: string;
}

const read = (file: string) => fs.readFileSync(path.join(projectRoot, file), 'utf8');

/** Logical instructions: continuation lines joined, comments and blank lines dropped. */
const instructions: Instruction[] = read('Dockerfile')
  .split('\n')
  .filter((line) => !line.trim().startsWith('#'))
  .join('\n')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => {
    const [, keyword, args] = /^\s*(\w+)\s+(.*)$/.exec(line)!;
    return { keyword: keyword!.toUpperCase(), args: args!.trim() };
  });

/** Stages by their FROM; the last one is the image that runs. */
const stages = instructions.reduce<Instruction[][]>((all, instruction) => {
  if (instruction.keyword === 'FROM') all.push([]);
  all.at(-1)!.push(instruction);
  return all;
}, []);
const finalStage = stages.at(-1)!;
const buildStage = stages.find((stage) => /\bAS\s+build$/i.test(stage[0]!.args));
const all = (stage: Instruction[], keyword: string) => stage.filter((instruction) => instruction.keyword === keyword);
const last = (stage: Instruction[], keyword: string) => all(stage, keyword).at(-1);
/** Each shell command of a stage's RUN instructions, in order (RUN a && b gives a, b). */
const runCommands = (stage: Instruction[]) => all(stage, 'RUN').flatMap(({ args }) => args.split('&&').map((command) => command.trim()));
/** An exec-form argument list (["node", "x"]) as the command line it runs. */
const execForm = (args: string) => (JSON.parse(args) as string[]).join(' ');
/** KEY=value pairs of a stage's ENV instructions. */
const environment = (stage: Instruction[]) =>
  Object.fromEntries(all(stage, 'ENV').flatMap(({ args }) => [...args.matchAll(/(\w+)=("[^"]*"|\S+)/g)].map(([, key, value]) => [key!, value!.replace(/^"|"$/g, '')])));
/** Where a COPY puts its sources, resolved against the stage's WORKDIR. */
function copied(stage: Instruction[]) {
  let workdir = '/';
  return stage.flatMap(({ keyword, args }) => {
    if (keyword === 'WORKDIR') workdir = path.posix.resolve(workdir, args);
    if (keyword !== 'COPY') return [];
    const words = args.split(/\s+/);
    const from = words.find((word) => word.startsWith('--from='))?.slice('--from='.length) ?? null;
    const paths = words.filter((word) => !word.startsWith('--'));
    const target = paths.at(-1)!;
    // Docker copies into a directory when the target ends with / (or is .) or when there are several sources.
    const intoDirectory = paths.length > 2 || target.endsWith('/') || target === '.';
    const destination = path.posix.resolve(workdir, target);
    return paths.slice(0, -1).map((source) => ({
      from,
      source: source.replace(/^\.\//, ''),
      destination: intoDirectory ? path.posix.join(destination, path.posix.basename(source)) : destination,
    }));
  });
}

const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
/** CI's commands before it runs the tests: how a clean checkout is prepared. */
const ciCommands = read('.ci/run')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line.startsWith('npm '));
const ciSetup = ciCommands.slice(0, ciCommands.indexOf('npm test'));

t.test('the build stage installs and builds with the commands CI and npm start use', async (t) => {
  t.ok(buildStage, 'a stage named build');
  const commands = runCommands(buildStage!);
  t.ok(ciSetup.length > 0, `.ci/run prepares the checkout before its tests (${ciSetup.join(', ')})`);
  for (const command of ciSetup) t.ok(commands.includes(command), `RUN ${command}, as .ci/run`);
  t.ok(commands.includes(scripts.prestart!), `RUN ${scripts.prestart}, as npm start's prestart`);
  t.ok(commands.indexOf(ciSetup.at(-1)!) < commands.indexOf(scripts.prestart!), 'install, then build');

  const sources = copied(buildStage!).map(({ source }) => source);
  t.ok(sources.includes('package-lock.json'), 'the lock file npm ci installs from');
  const build = /-p\s+(\S+)/.exec(scripts.build!)?.[1];
  t.ok(build && sources.includes(build), `the build's configuration (${build})`);
  const config = JSON.parse(read(build!)) as { extends?: string; include: string[] };
  for (const needed of [config.extends, ...config.include].filter((file) => file !== undefined)) {
    t.ok(sources.includes(path.normalize(needed)), `${needed}, which the build reads`);
  }
});

t.test('the build compiles the server and the operations commands into the directory npm start runs from', async (t) => {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.join(projectRoot, 'tsconfig.build.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} })!;
  const compiled = (source: string) => {
    const relative = path.relative(parsed.options.rootDir!, path.join(projectRoot, source));
    return parsed.fileNames.includes(path.join(projectRoot, source)) ? path.relative(projectRoot, path.join(parsed.options.outDir!, relative)).replace(/\.ts$/, '.js') : null;
  };
  const entry = scripts.start!.split(/\s+/).at(-1)!;
  t.equal(compiled('src/server.ts'), entry, `npm start runs the compiled server (${entry})`);
  t.equal(compiled('src/cli/backup.ts'), 'dist/cli/backup.js', 'node dist/cli/backup.js works in the image');
  t.equal(compiled('src/cli/restore.ts'), 'dist/cli/restore.js', 'and node dist/cli/restore.js');
});

t.test('the final image runs npm start’s entry as a non-root user, with everything it reads at run time', async (t) => {
  t.equal(execForm(last(finalStage, 'CMD')!.args), scripts.start, 'CMD is what npm start runs');

  const user = last(finalStage, 'USER')?.args;
  t.ok(user && !/^(root|0)(:|$)/.test(user), `runs as ${user}, not root`);
  t.ok(finalStage.indexOf(last(finalStage, 'USER')!) < finalStage.indexOf(last(finalStage, 'CMD')!), 'USER comes before CMD');

  const workdir = last(finalStage, 'WORKDIR')!.args;
  const destinations = copied(finalStage);
  const startEntryDir = scripts.start!.split(/\s+/).at(-1)!.split('/')[0]!;
  for (const [needed, from] of [
    [startEntryDir, 'build'], // the compiled code, server and commands
    ['node_modules', 'build'], // production dependencies, with better-sqlite3's native addon built for this image
    ['package.json', null], // "type": "module": without it Node reads dist/*.js as CommonJS
    [path.relative(projectRoot, migrationsFolder), null], // applied at start
    [path.relative(projectRoot, seedsDir), null], // the plan loaded into an empty database
  ] as const) {
    t.ok(
      destinations.some((copy) => copy.destination === path.posix.join(workdir, needed) && copy.from === from),
      `${needed} is copied${from ? ` from the ${from} stage` : ''}`,
    );
  }
});

t.test('the database lives on a volume the server’s user can write, and a health check asks /health', async (t) => {
  const env = environment(finalStage);
  const volumes = all(finalStage, 'VOLUME').flatMap(({ args }) => (args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/)));
  const volume = volumes.find((dir) => env.DATABASE_PATH?.startsWith(`${dir}/`));
  t.ok(volume, `DATABASE_PATH (${env.DATABASE_PATH}) is inside a VOLUME (${volumes.join(', ')})`);
  const user = last(finalStage, 'USER')!.args.split(':')[0]!;
  t.ok(
    runCommands(finalStage).some((command) => new RegExp(`^chown\\s+${user}(:\\S+)?\\s+${volume}$`).test(command)),
    `${volume} belongs to ${user}, so the server can create the database there`,
  );

  const healthcheck = last(finalStage, 'HEALTHCHECK')?.args ?? '';
  const [, command] = /\bCMD\s+(\[.*\])$/.exec(healthcheck) ?? [];
  t.ok(command, 'HEALTHCHECK runs an exec-form command');
  t.equal((JSON.parse(command!) as string[])[0], 'node', 'with node: the slim image has no curl or wget');
  t.match(command, /http:\/\/127\.0\.0\.1:\$\{process\.env\.PORT\}\/health\b/, 'on the port the server listens on, path /health');
  t.ok(env.PORT, 'PORT is set in the image');
  const openapi = JSON.parse(read('openapi/openapi.json')) as { paths: Record<string, { get?: unknown }> };
  t.ok(openapi.paths['/health']?.get, 'GET /health is in the contract');
});
