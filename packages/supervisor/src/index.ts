export { BackendSupervisor, backoffDelay } from './backend-supervisor.js';
export type { ReloadPlan } from './reload-plan.js';
export { planReload } from './reload-plan.js';
export type { SupervisorOptions } from './supervisor.js';
export { Supervisor, SupervisorError } from './supervisor.js';
export type {
  BackendSpec,
  Clock,
  Connection,
  Connector,
  HealthPolicy,
  RestartPolicy,
  SupervisedState,
  SupervisorEvent,
} from './types.js';
