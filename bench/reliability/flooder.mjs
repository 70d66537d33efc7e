// The flooding client, in a process of its own so its loop does not slow the honest visitors'
// clock: argv[2] JSON { url, connections, ms, localAddress }. Sends anonymous messages with no
// pause from one address until `ms` has passed, then prints its counts as one JSON line.
import { Agent } from 'node:http';
import { chat } from './client.mjs';

const { url, connections, ms, localAddress } = JSON.parse(process.argv[2]);
const agent = new Agent({ keepAlive: true, maxSockets: connections, localAddress });
const counts = { sent: 0, limited: 0, answered: 0, other: 0, retryAfterSeen: [] };
const retryAfter = new Set();
const deadline = performance.now() + ms;
await Promise.all(
  Array.from({ length: connections }, async () => {
    while (performance.now() < deadline) {
      const result = await chat(url, agent, { text: 'What are your business hours?' });
      counts.sent++;
      if (result.status === 429 && result.body?.error?.code === 'rate-limited') {
        counts.limited++;
        retryAfter.add(Number(result.retryAfter));
      } else if (result.status === 200) counts.answered++;
      else counts.other++;
    }
  }),
);
agent.destroy();
counts.retryAfterSeen = [...retryAfter].sort((a, b) => a - b);
process.stdout.write(`${JSON.stringify(counts)}\n`);
