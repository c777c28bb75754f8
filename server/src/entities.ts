import { Staff } from './modules/auth/staff.entity.js';
import { Device } from './modules/auth/device.entity.js';
import { MenuItem } from './modules/menu/menu-item.entity.js';

/** Every entity, for the ORM's discovery (explicit: no folder scanning at run time). */
export const entities = [Staff, Device, MenuItem];
