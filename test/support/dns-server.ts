import { type RemoteInfo, createSocket } from 'node:dgram';
import { once } from 'node:events';
import packet from 'dns-packet';

/** An authoritative DNS server on loopback UDP that answers TXT queries from a map (NXDOMAIN otherwise). */
export async function startTxtServer(records: Map<string, string[]> = new Map()) {
  const socket = createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    const query = packet.decode(message);
    const question = query.questions?.[0];
    if (!question) return;
    queries.push(`${question.type} ${question.name}`);
    const values = question.type === 'TXT' ? records.get(question.name.toLowerCase()) : undefined;
    const response = packet.encode({
      type: 'response',
      id: query.id ?? 0,
      flags: packet.AUTHORITATIVE_ANSWER | (values ? 0 : 3),
      questions: query.questions ?? [],
      answers: (values ?? []).map((value) => ({ type: 'TXT' as const, name: question.name, class: 'IN' as const, ttl: 60, data: value })),
    });
    socket.send(response, peer.port, peer.address);
  });
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    queries,
    publish(name: string, value: string) {
      records.set(name.toLowerCase(), [...(records.get(name.toLowerCase()) ?? []), value]);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
