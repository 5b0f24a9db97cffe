import { parseInstant } from '../../http/calendar.js';
import type { Light } from '../assignments/lights.js';
import type { PlanLights } from './service.js';

/**
 * Lights for the catalogue's lists and records, when a request asks for them (`light` or `asOf`): the plan's lights
 * at that instant and whether an item's light is the one asked for. Undefined when the request asks for neither.
 */
export function createLightsAt(lights: (planId: number | undefined, asOf: Date) => PlanLights, now: () => Date) {
  return {
    at(planId: number | undefined, light: Light | undefined, asOf: string | undefined) {
      if (light === undefined && asOf === undefined) return undefined;
      const plan = lights(planId, asOf === undefined ? now() : parseInstant(asOf, 'day-end'));
      return { ...plan, keeps: (itemLight: Light | undefined) => light === undefined || (itemLight ?? 'green') === light };
    },
  };
}

export type LightsAt = ReturnType<typeof createLightsAt>;
