import { Router } from 'express';
import { DomainError } from '../../errors.ts';
import type { Logger } from '../../logger.ts';
import { loadRecording, RECORDING_IDS } from '../../vitals/simulator/recordings.ts';
import { route, userOf } from '../respond.ts';

/** Recordings for the monitor simulator (demos and training): for the sites that send vitals. */
export function simulatorRoutes(log: Logger): Router {
  const router = Router();
  router.get(
    '/recordings',
    route(log, async () => Promise.resolve(RECORDING_IDS)),
  );
  router.get(
    '/recordings/:id',
    route(log, async (req, res) => {
      const user = userOf(res);
      if (user.role !== 'nurse' && user.role !== 'ambulance' && user.role !== 'station_doctor')
        throw new DomainError('FORBIDDEN', 'the simulator is a vitals source');
      const recording = loadRecording(String(req.params['id']));
      if (!recording) throw new DomainError('NOT_FOUND', 'no such recording');
      return recording;
    }),
  );
  return router;
}
