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
