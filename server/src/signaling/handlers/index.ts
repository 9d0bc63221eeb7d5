import type { HandlerTable } from '../handlerTypes.ts';
import { consumerHandlers } from './consumerHandlers.ts';
import { dataHandlers } from './dataHandlers.ts';
import { linkHandlers } from './linkHandlers.ts';
import { photoHandlers } from './photoHandlers.ts';
import { producerHandlers } from './producerHandlers.ts';
import { relayHandlers } from './relayHandlers.ts';
import { roomHandlers } from './roomHandlers.ts';
import { transportHandlers } from './transportHandlers.ts';
import { iceHandlers } from '../../turn/iceHandlers.ts';

/** Every request method has exactly one handler; the type makes a missing one a compile error. */
export const handlers: HandlerTable = {
  ...roomHandlers,
  ...transportHandlers,
  ...producerHandlers,
  ...consumerHandlers,
  ...dataHandlers,
  ...relayHandlers,
  ...photoHandlers,
  ...iceHandlers,
  ...linkHandlers,
};
