import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * 'conditional': ETag + Last-Modified, 304 on a matching conditional GET.
 * 'full': neither validator, and a full body whatever the request says.
 */
export type OriginMode = 'conditional' | 'full';

export interface Origin {
  kind: 'nginx' | 'node';
  mode: OriginMode;
  baseUrl: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export function hasCommand(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

function nginxConfig(root: string, prefix: string, port: number, mode: OriginMode): string {
  // Dropping Last-Modified matters as much as dropping the ETag: libcurl compares it on its own.
  const validators = mode === 'full' ? 'etag off;\n      if_modified_since off;\n      add_header Last-Modified "";' : 'etag on;';
  return `worker_processes 1;
daemon off;
pid ${prefix}/nginx.pid;
error_log stderr warn;
${process.getuid?.() === 0 ? 'user root;' : ''}
events { worker_connections 4096; }
http {
  access_log off;
  types { application/rss+xml rss; application/feed+json json; }
  default_type application/octet-stream;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  client_body_temp_path ${prefix}/body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;
  server {
    listen 127.0.0.1:${port} reuseport;
    location / {
      root ${root};
      ${validators}
    }
  }
}
`;
}

async function waitForHttp(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`origin exited with ${child.exitCode}: ${stderr()}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error(`origin at ${url} did not answer within 10 s: ${stderr()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Checks that the server really behaves as `mode` says, since the whole comparison rests on it. */
export async function verifyOrigin(url: string, mode: OriginMode): Promise<void> {
  const first = await fetch(url);
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  const lastModified = first.headers.get('last-modified');
  if (mode === 'full') {
    if (etag || lastModified) throw new Error(`origin in full-body mode still sends validators (ETag ${etag}, Last-Modified ${lastModified})`);
    const again = await fetch(url, { headers: { 'If-None-Match': '"x"', 'If-Modified-Since': new Date(Date.now() + 86_400_000).toUTCString() } });
    await again.arrayBuffer();
    if (again.status !== 200) throw new Error(`origin in full-body mode answered ${again.status} to a conditional GET`);
    return;
  }
  if (!etag || !lastModified) throw new Error('origin in conditional mode sends no ETag or Last-Modified');
  const again = await fetch(url, { headers: { 'If-None-Match': etag } });
  await again.arrayBuffer();
  if (again.status !== 304) throw new Error(`origin in conditional mode answered ${again.status} to If-None-Match`);
}

/** Serves `root` from a separate process on 127.0.0.1: nginx when installed, else a Node static server. */
export interface OriginOptions {
  root: string;
  workDir: string;
  mode: OriginMode;
  /** Reuse a port so that stored feed URLs stay valid across a restart in another mode. */
  port?: number | undefined;
  /** A file to check the mode's behaviour against. */
  probeFile?: string | undefined;
  /** 'node' forces the fallback even when nginx is installed. */
  prefer?: 'nginx' | 'node' | undefined;
}

export async function startOrigin(options: OriginOptions): Promise<Origin> {
  const { root, workDir, mode, port, probeFile } = options;
  const listenPort = port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${listenPort}`;
  let child: ChildProcess;
  let kind: Origin['kind'];
  if (options.prefer !== 'node' && hasCommand('nginx')) {
    kind = 'nginx';
    const prefix = join(workDir, `nginx-${mode}`);
    mkdirSync(prefix, { recursive: true });
    const confPath = join(prefix, 'nginx.conf');
    writeFileSync(confPath, nginxConfig(root, prefix, listenPort, mode));
    child = spawn('nginx', ['-p', prefix, '-c', confPath, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
  } else {
    kind = 'node';
    const script = fileURLToPath(new URL('./static-origin.js', import.meta.url));
    child = spawn(process.execPath, [script, root, String(listenPort), mode], { stdio: ['ignore', 'ignore', 'pipe'] });
  }
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await waitForHttp(`${baseUrl}/`, child, () => stderr);
    if (probeFile) await verifyOrigin(`${baseUrl}/${probeFile}`, mode);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { kind, mode, baseUrl, stop: () => stopChild(child) };
}
