// Setup's last check: the Node runtime is a supported LTS and the mediasoup
// worker binary actually starts and answers. Exits non-zero with a plain reason.
import * as mediasoup from 'mediasoup';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`[setup] Node ${process.versions.node} is too old; expected >= 24 from node_modules/.bin/node`);
  process.exit(1);
}
try {
  const worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  router.close();
  worker.close();
  console.error(`[setup] Node ${process.versions.node}, mediasoup ${mediasoup.version}: worker OK`);
} catch (error) {
  console.error('[setup] the mediasoup worker does not start:', error);
  process.exit(1);
}
