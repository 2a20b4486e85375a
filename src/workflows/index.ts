/** Workflow bundle entry: every workflow the worker runs. */
export { orderWorkflow } from './order/workflow';
export { warehouseOutageWorkflow } from './warehouse/outage';
export { operationsAlertWorkflow } from './alerts';
export { escalationPolicyRollout } from './escalationRollout';
export { returnWorkflow } from './returns/workflow';
