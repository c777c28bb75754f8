import { registerEnumType } from 'type-graphql';

export enum Role {
  ADMIN = 'ADMIN',
  MANAGER = 'MANAGER',
  SERVER = 'SERVER',
  HOST = 'HOST',
  KITCHEN = 'KITCHEN',
}
registerEnumType(Role, { name: 'Role', description: 'What a staff member or a display device may do.' });

/** Roles a display device token may carry. */
export const DEVICE_ROLES: readonly Role[] = [Role.KITCHEN, Role.HOST];

/** Marker for the few operations anyone may call (login). Everything else names its roles. */
export const PUBLIC = 'PUBLIC';

export const STAFF_ROLES = [Role.ADMIN, Role.MANAGER, Role.SERVER, Role.HOST, Role.KITCHEN] as const;
export const MANAGERS = [Role.ADMIN, Role.MANAGER] as const;
