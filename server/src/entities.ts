import { Staff } from './modules/auth/staff.entity.js';
import { Device } from './modules/auth/device.entity.js';
import { MenuItem } from './modules/menu/menu-item.entity.js';
import { Customer } from './modules/customers/customer.entity.js';
import { CustomerDish } from './modules/customers/customer-dish.entity.js';
import { ClassificationDue } from './modules/customers/classification-due.entity.js';
import { Interaction } from './modules/customers/interaction.entity.js';
import { AuditEntry } from './modules/audit/audit-entry.entity.js';
import { Order, OrderLine, Payment } from './modules/orders/order.entity.js';
import { IdempotencyKey, OrderDayCounter } from './modules/orders/idempotency.entity.js';
import { KitchenTicket } from './modules/kitchen/kitchen-ticket.entity.js';
import { PointsAccount, PointsEntry, Promotion, Reward } from './modules/loyalty/loyalty.entities.js';
import { KitchenEventRecord } from './modules/kitchen/kitchen-event.entity.js';

/** Every entity, for the ORM's discovery (explicit: no folder scanning at run time). */
export const entities = [Staff, Device, MenuItem, Customer, CustomerDish, ClassificationDue, Order, OrderLine, Payment, IdempotencyKey, OrderDayCounter, KitchenTicket, KitchenEventRecord, Interaction, AuditEntry, PointsEntry, PointsAccount, Reward, Promotion];
