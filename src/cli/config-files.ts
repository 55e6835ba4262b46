import { readFile, readdir, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { MoatError } from '../core/errors.js';
import { loadConfig, type ConfigSource, type LoadedConfig } from '../core/config/load.js';

export const SYSTEM_CONFIG_PATH = '/etc/moat/moat.toml';

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Reads the main configuration file and `conf.d/*.toml` beside it (name order), then validates.
 * With no explicit path, uses /etc/moat/moat.toml when it exists, else the embedded defaults.
 */
export async function readConfigFiles(options: {
  path: string | undefined;
  cwd: string;
  stateDirOverride: string | undefined;
}): Promise<LoadedConfig> {
  let main = options.path ? resolve(options.cwd, options.path) : undefined;
  if (!main && (await exists(SYSTEM_CONFIG_PATH))) main = SYSTEM_CONFIG_PATH;
  const sources: ConfigSource[] = [];
  if (main) {
    let text: string;
    try {
      text = await readFile(main, 'utf8');
    } catch (err) {
      throw new MoatError('CONFIG_NOT_FOUND', `${main}: ${(err as Error).message}`, { file: main });
    }
    sources.push({ file: main, text });
    const confd = join(dirname(main), 'conf.d');
    if (await exists(confd)) {
      const names = (await readdir(confd)).filter((n) => n.endsWith('.toml')).sort();
      for (const name of names) sources.push({ file: join(confd, name), text: await readFile(join(confd, name), 'utf8') });
    }
  }
  if (options.stateDirOverride) {
    sources.push({
      file: '--state-dir',
      text: `[global]\nstate_dir = ${JSON.stringify(resolve(options.cwd, options.stateDirOverride))}\n`,
    });
  }
  const loaded = loadConfig(sources);
  loaded.config.global.state_dir = resolve(options.cwd, loaded.config.global.state_dir);
  return loaded;
}
