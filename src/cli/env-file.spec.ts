import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/load-config';
import { describeEnvFile, loadEnvFile, parseEnvFile } from './env-file';

describe('the .env file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'env-file-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string): string => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  describe('loadEnvFile', () => {
    it('sets what the environment lacks and leaves what it has, even empty: the environment wins', () => {
      write('.env', 'PORT=4000\nHOST=127.0.0.1\nLOG_LEVEL=debug\n');
      const env: NodeJS.ProcessEnv = { PORT: '3001', LOG_LEVEL: '' };
      const result = loadEnvFile(env, dir);
      expect(env).toEqual({ PORT: '3001', LOG_LEVEL: '', HOST: '127.0.0.1' });
      expect(result).toEqual({
        file: join(dir, '.env'),
        applied: ['HOST'],
        kept: ['PORT', 'LOG_LEVEL'],
      });
    });

    it('reads nothing, quietly, when there is no .env', () => {
      const env: NodeJS.ProcessEnv = { PORT: '3001' };
      expect(loadEnvFile(env, dir)).toEqual({ file: undefined, applied: [], kept: [] });
      expect(env).toEqual({ PORT: '3001' });
    });

    it('reads the file ENV_FILE names, relative to the working directory, instead of .env', () => {
      write('.env', 'PORT=4000\n');
      mkdirSync(join(dir, 'conf'));
      write('conf/ledger.env', 'PORT=5000\n');
      const env: NodeJS.ProcessEnv = { ENV_FILE: 'conf/ledger.env' };
      expect(loadEnvFile(env, dir).file).toBe(join(dir, 'conf', 'ledger.env'));
      expect(env.PORT).toBe('5000');
    });

    it('refuses to start when the file ENV_FILE names does not exist', () => {
      const env: NodeJS.ProcessEnv = { ENV_FILE: 'missing.env' };
      expect(() => loadEnvFile(env, dir)).toThrow(ConfigError);
      expect(() => loadEnvFile(env, dir)).toThrow(`ENV_FILE: ${join(dir, 'missing.env')}`);
    });

    it('reads no file at all with ENV_FILE set empty', () => {
      write('.env', 'PORT=4000\n');
      const env: NodeJS.ProcessEnv = { ENV_FILE: '' };
      expect(loadEnvFile(env, dir).file).toBeUndefined();
      expect(env.PORT).toBeUndefined();
    });

    it('describes what it did by names only, never a value', () => {
      write('.env', 'GROWSURF_WEBHOOK_SECRET=s3cr3t-value\nPORT=4000\n');
      const line = describeEnvFile(loadEnvFile({ PORT: '1' }, dir));
      expect(line).toBe(
        `settings read from ${join(dir, '.env')}: GROWSURF_WEBHOOK_SECRET; kept from the environment: PORT`,
      );
      expect(line).not.toContain('s3cr3t');
      expect(describeEnvFile({ file: undefined, applied: [], kept: [] })).toBeUndefined();
    });
  });

  describe('parseEnvFile reads what Docker Compose reads the same way', () => {
    const parse = (text: string): Record<string, string> =>
      Object.fromEntries(parseEnvFile(text, '.env'));

    it('skips blank lines and comments, takes `export ` and spaces around =', () => {
      expect(parse('\n# a comment\n  # indented\nexport A=1\nB = two words \n\n')).toEqual({
        A: '1',
        B: 'two words',
      });
    });

    it('ends an unquoted value at a # after whitespace only', () => {
      expect(parse('A=value # comment\nB=va#lue\nC= # only a comment\nD=#x')).toEqual({
        A: 'value',
        B: 'va#lue',
        C: '',
        D: '#x',
      });
    });

    it('keeps = and | inside values (the pair lists)', () => {
      expect(parse('STANDARD_WEBHOOK_SOURCES=acme=whsec_a|whsec_b,beta=whsec_c')).toEqual({
        STANDARD_WEBHOOK_SOURCES: 'acme=whsec_a|whsec_b,beta=whsec_c',
      });
    });

    it('expands escapes in double quotes and reads a quoted value over several lines', () => {
      expect(
        parse(
          'A="line1\\nline2 \\"q\\" \\\\ # not a comment" # a comment\n' +
            'PEM="-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"\nAFTER=1',
        ),
      ).toEqual({
        A: 'line1\nline2 "q" \\ # not a comment',
        PEM: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----',
        AFTER: '1',
      });
    });

    it('takes single quotes literally and never expands ${VAR} (Compose would: single-quote a value with $)', () => {
      expect(parse('A=\'a\\nb $HOME\'\nB=$HOME\nC="${HOME}"')).toEqual({
        A: 'a\\nb $HOME',
        B: '$HOME',
        C: '${HOME}',
      });
    });

    it('reads CRLF files and a byte order mark; a name given twice keeps its last value', () => {
      expect(parse('\uFEFFA=1\r\nB=2\r\nA=3\r\n')).toEqual({ A: '3', B: '2' });
    });

    it('lists every line it cannot read, without the values', () => {
      let error: unknown;
      try {
        parseEnvFile(
          'GOOD=1\nnot an assignment hunter2\n9BAD=hunter2\nX="hunter2" trailing\nY="hunter2',
          '/etc/ledger.env',
        );
      } catch (thrown) {
        error = thrown;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).problems).toEqual([
        '/etc/ledger.env line 2: expected NAME=value',
        '/etc/ledger.env line 3: expected NAME=value',
        '/etc/ledger.env line 4: X has text after its closing quote',
        '/etc/ledger.env line 5: Y\'s " quote is never closed',
      ]);
      expect((error as ConfigError).message).not.toContain('hunter2');
    });
  });
});
