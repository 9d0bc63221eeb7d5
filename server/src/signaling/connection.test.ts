import { EventEmitter } from 'node:events';
import type { WebSocket } from 'ws';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { AccessTokenClaims, ServerFrame } from '@legevakt/shared';
import type { Room } from '../media/room.ts';
import { SignalingConnection } from './connection.ts';
import type { HandlerContext, HandlerTable, SignalingServices } from './handlerTypes.ts';

/** A socket that records what the connection sends. */
class RecordingSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  readonly sent: ServerFrame[] = [];
  send(text: string): void {
    this.sent.push(JSON.parse(text) as ServerFrame);
  }
}

const user = { sub: 'u-1', role: 'doctor', name: 'Lege' } as unknown as AccessTokenClaims;
const peer = { peerId: 'p-2', userId: 'u-2', role: 'nurse', displayName: 'Sykepleier' };

/** A connection whose `ping` enters `room` as peer p-1, and meanwhile lets `during` run (another peer's join). */
function connectionEntering(room: EventEmitter, during: (ctx: HandlerContext) => void | Promise<void>) {
  const socket = new RecordingSocket();
  const handlers = {
    async ping(ctx: HandlerContext) {
      ctx.enter({ room: room as unknown as Room, peerId: 'p-1' });
      await during(ctx);
      return {};
    },
  } as unknown as HandlerTable;
  new SignalingConnection(
    socket as unknown as WebSocket,
    user,
    {} as SignalingServices,
    handlers,
    pino({ level: 'silent' }),
  );
  const request = (id: number): void => {
    socket.emit('message', Buffer.from(JSON.stringify({ kind: 'request', id, method: 'ping', data: {} })), false);
  };
  return { socket, request };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('a connection entering a room', () => {
  it('sends the answer first, then what the room told this peer meanwhile, in order', async () => {
    const room = new EventEmitter();
    const { socket, request } = connectionEntering(room, async () => {
      room.emit('notify', 'p-1', 'peerJoined', peer);
      room.emit('notify', 'p-9', 'peerLeft', { peerId: 'p-3' }); // another peer's: not this connection's
      await Promise.resolve();
      room.emit('notify', 'p-1', 'peerLeft', { peerId: 'p-2' });
    });
    request(1);
    await settled();
    expect(socket.sent.map((f) => (f.kind === 'response' ? `response ${f.id}` : f.method))).toEqual([
      'response 1',
      'peerJoined',
      'peerLeft',
    ]);
    expect(socket.sent[1]).toEqual({ kind: 'notification', method: 'peerJoined', data: peer });

    // Once answered, the room's notifications go out as they happen.
    room.emit('notify', 'p-1', 'peerJoined', peer);
    expect(socket.sent).toHaveLength(4);
  });

  it('releases what it held when the request fails after entering', async () => {
    const room = new EventEmitter();
    const { socket, request } = connectionEntering(room, () => {
      room.emit('notify', 'p-1', 'peerJoined', peer);
      throw new Error('a later step failed');
    });
    request(7);
    await settled();
    expect(socket.sent.map((f) => (f.kind === 'response' ? `response ${f.id} ${String(f.ok)}` : f.method))).toEqual([
      'response 7 false',
      'peerJoined',
    ]);
    room.emit('notify', 'p-1', 'peerLeft', { peerId: 'p-2' });
    expect(socket.sent).toHaveLength(3);
  });
});
