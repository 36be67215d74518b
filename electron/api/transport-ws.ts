import type { WebSocket } from 'ws';
import type { Channel } from './dispatch.js';

/** Adapt one WebSocket connection to the dispatcher's channel protocol (JSON text frames). */
export function webSocketChannel(socket: WebSocket): Channel {
  return {
    send(message) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      socket.on('message', (data, isBinary) => {
        if (isBinary) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(data.toString());
        } catch {
          return; // not JSON: nothing we can answer
        }
        listener(parsed);
      });
    },
    onClose(listener) {
      socket.on('close', listener);
    },
  };
}
