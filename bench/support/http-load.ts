import { Agent, request } from 'node:http';

/** A keep-alive HTTP client with one socket per worker: what a busy HTTP caller looks like. */
export function createPoster(baseUrl: string, sockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: sockets });
  const { hostname, port } = new URL(baseUrl);
  return {
    post(path: string, headers: Record<string, string>, body: string): Promise<{ status: number; body: string }> {
      return new Promise((resolve, reject) => {
        const req = request({ agent, hostname, port, path, method: 'POST', headers }, (res) => {
          let data = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
        });
        req.on('error', reject);
        req.end(body);
      });
    },
    close: () => agent.destroy(),
  };
}
