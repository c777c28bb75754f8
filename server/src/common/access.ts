import type { Actor } from './context.js';
import { Role } from './roles.js';

/**
 * The access matrix, as data: the one place that says who may call every query, mutation and
 * subscription and who may read every field of every object type. `enforceAccess` (access-guard.ts)
 * wires it into the built schema, a test calls every cell over HTTP and graphql-ws, and
 * `pnpm access:matrix` prints it into the README. Deny by default: building the schema fails when
 * an operation or a field has no entry here (see `accessGaps`).
 */

/** Who calls: a staff member by role, or a display device by the role its token carries. */
export const Principal = {
  ADMIN: 'ADMIN',
  MANAGER: 'MANAGER',
  SERVER: 'SERVER',
  HOST: 'HOST',
  KITCHEN: 'KITCHEN',
  KITCHEN_DEVICE: 'KITCHEN_DEVICE',
  HOST_DEVICE: 'HOST_DEVICE',
} as const;
export type Principal = (typeof Principal)[keyof typeof Principal];
export const PRINCIPALS = Object.values(Principal);

export function principalOf(actor: Actor): Principal {
  return actor.kind === 'device' ? (`${actor.role}_DEVICE` as Principal) : (actor.role as Principal);
}

/** Anyone, signed in or not (login alone). */
export const PUBLIC = 'PUBLIC' as const;
/** Whoever may reach the parent object may read the field. */
export const OPEN = 'OPEN' as const;

export type OperationRule = typeof PUBLIC | readonly Principal[];
export type FieldRule = typeof OPEN | readonly Principal[];

const { ADMIN, MANAGER, SERVER, HOST, KITCHEN, KITCHEN_DEVICE, HOST_DEVICE } = Principal;

const EVERYONE = PRINCIPALS;
const ADMIN_ONLY = [ADMIN] as const;
const MANAGERS = [ADMIN, MANAGER] as const;
/** The register: takes orders, attaches guests, checks out. */
const REGISTER = [ADMIN, MANAGER, SERVER] as const;
/** Staff at the front of house who look guests up. */
const FRONT_STAFF = [ADMIN, MANAGER, SERVER, HOST] as const;
/** Front of house plus the host-stand screen (check-in, greetings, enrolling a guest). */
const HOST_STAND = [...FRONT_STAFF, HOST_DEVICE] as const;
const KITCHEN_READERS = [ADMIN, MANAGER, SERVER, KITCHEN, KITCHEN_DEVICE] as const;
const KITCHEN_HANDS = [KITCHEN, KITCHEN_DEVICE] as const;
/** Contact data (phone, email, birthday), free-text notes, spend and service history. */
const PROFILE_READERS = MANAGERS;

export const OPERATIONS: Readonly<Record<string, OperationRule>> = {
  'Query.me': EVERYONE,
  'Query.devices': ADMIN_ONLY,
  'Query.auditLog': ADMIN_ONLY,
  'Query.menu': EVERYONE,
  'Query.customer': FRONT_STAFF,
  'Query.customerLookup': FRONT_STAFF,
  'Query.customers': FRONT_STAFF,
  'Query.segments': MANAGERS,
  'Query.customerExport': MANAGERS,
  'Query.order': REGISTER,
  'Query.orders': REGISTER,
  'Query.kitchenBoard': KITCHEN_READERS,
  'Query.rewards': HOST_STAND,
  'Query.promotions': REGISTER,

  'Mutation.login': PUBLIC,
  'Mutation.createStaff': ADMIN_ONLY,
  'Mutation.issueDeviceToken': MANAGERS,
  'Mutation.revokeDeviceToken': ADMIN_ONLY,
  'Mutation.createMenuItem': MANAGERS,
  'Mutation.updateMenuItem': MANAGERS,
  'Mutation.setStock': [ADMIN, MANAGER, KITCHEN],
  'Mutation.createCustomer': HOST_STAND,
  'Mutation.updateCustomer': FRONT_STAFF,
  'Mutation.eraseCustomer': ADMIN_ONLY,
  'Mutation.addInteraction': REGISTER,
  'Mutation.checkInGuest': HOST_STAND,
  'Mutation.placeOrder': REGISTER,
  'Mutation.addOrderItems': REGISTER,
  'Mutation.attachCustomer': REGISTER,
  'Mutation.checkout': REGISTER,
  'Mutation.voidOrder': MANAGERS,
  'Mutation.startTicket': KITCHEN_HANDS,
  'Mutation.readyTicket': KITCHEN_HANDS,
  'Mutation.bumpTicket': KITCHEN_HANDS,
  'Mutation.recallTicket': KITCHEN_HANDS,
  'Mutation.createReward': MANAGERS,
  'Mutation.createPromotion': MANAGERS,

  'Subscription.menuUpdates': EVERYONE,
  'Subscription.guestArrivals': HOST_STAND,
  'Subscription.orderUpdates': REGISTER,
  'Subscription.kitchenEvents': KITCHEN_READERS,
};

/** Every field open to whoever reaches its type. */
function open(fields: string): Record<string, FieldRule> {
  return Object.fromEntries(fields.split(/\s+/).filter(Boolean).map((f) => [f, OPEN]));
}

/**
 * Every field of every object type. A field not listed here fails the build: a new field must
 * be classified (open, or restricted to some principals) before it can be served.
 */
export const FIELDS: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = {
  Customer: {
    ...open('id firstName lastName loyaltyCode allergies tags marketingOptIn lifecycleStage createdAt stats usualDishes loyalty offers'),
    phone: PROFILE_READERS,
    email: PROFILE_READERS,
    birthday: PROFILE_READERS,
    notes: PROFILE_READERS,
    /** Segments such as big-spenders reveal spend. */
    segments: PROFILE_READERS,
    /** Service history: what the guest spent, visit by visit. */
    orders: PROFILE_READERS,
    /** Notes, feedback and calls written by staff. */
    interactions: PROFILE_READERS,
  },
  CustomerStats: {
    ...open('visitCount firstVisitAt lastVisitAt averageDaysBetweenVisits'),
    totalSpent: PROFILE_READERS,
    averageSpend: PROFILE_READERS,
  },
  // Only reachable through me (oneself), createStaff and login (ADMIN or oneself) and interactions (managers).
  Staff: open('id name email role'),
  AuthPayload: open('token staff'),
  Device: open('id name role createdAt revokedAt'),
  AuditEntry: open('id at action actorKind actorId deviceId address subjectId result details'),
  AuditConnection: open('nodes pageInfo'),
  Interaction: open('id kind note staff createdAt'),
  GuestGreeting: open('customer partySize arrivedAt isRegular message usualDishes'),
  DishCount: open('menuItem count'),
  CustomerConnection: open('nodes pageInfo totalCount'),
  SegmentSummary: open('segment customerCount'),
  LoyaltyAccount: open('points lifetimePoints tier availableRewards'),
  Reward: open('id name pointsCost discountAmount freeMenuItem'),
  Offer: open('id title description promotion menuItem sendable'),
  Promotion: open('id name code discountPercent discountAmount lifecycleStage segment startsAt endsAt active'),
  MenuItem: open('id sku name category price station allergens stock available'),
  Order: open(
    'id number status table subtotal discount tax tip total changeGiven sentToKitchen createdAt paidAt voidedAt voidReason lines payments customer',
  ),
  OrderLine: open('id menuItem name quantity unitPrice modifiers notes'),
  Payment: open('id method amount reference'),
  OrderConnection: open('nodes pageInfo'),
  PageInfo: open('endCursor hasNextPage'),
  // The kitchen sees a known guest's first name and allergies, never contact data or spend.
  KitchenBoard: open('tickets allDay cursor'),
  KitchenTicket: open('id orderId orderNumber station table status items guestName guestAllergies createdAt startedAt readyAt bumpedAt'),
  TicketItem: open('name quantity modifiers notes allergens'),
  AllDayCount: open('name quantity'),
  KitchenEvent: open('cursor type ticket'),
};

export type Decision = 'ALLOW' | 'UNAUTHENTICATED' | 'FORBIDDEN';

/** The decision for a rule and a caller (null: not signed in). */
export function decide(rule: OperationRule | FieldRule, actor: Actor | null): Decision {
  if (rule === PUBLIC || rule === OPEN) return 'ALLOW';
  if (!actor) return 'UNAUTHENTICATED';
  return rule.includes(principalOf(actor)) ? 'ALLOW' : 'FORBIDDEN';
}

/** Whether the principal may call an operation (by its coordinate, e.g. "Query.customer"). */
export function mayCall(coordinate: string, principal: Principal | null): boolean {
  const rule = OPERATIONS[coordinate];
  if (!rule) return false;
  return rule === PUBLIC || (principal !== null && rule.includes(principal));
}

/** Whether the principal may read a field (by its coordinate, e.g. "Customer.phone"). */
export function mayRead(coordinate: string, principal: Principal): boolean {
  const [type, field] = coordinate.split('.') as [string, string];
  const rule = FIELDS[type]?.[field];
  if (!rule) return false;
  return rule === OPEN || rule.includes(principal);
}

/** The role a principal acts with (a device token carries the role of its screen). */
export function roleOf(principal: Principal): Role {
  return principal.replace(/_DEVICE$/, '') as Role;
}
