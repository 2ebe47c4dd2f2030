export type { ReloadPlan } from './reload-plan.js';
export { planReload } from './reload-plan.js';
export type { SupervisorOptions } from './supervisor.js';
export { Supervisor } from './supervisor.js';
export type {
  BackendSpec,
  Connection,
  Connector,
  HealthPolicy,
  RestartPolicy,
  SupervisorEvent,
} from './types.js';
