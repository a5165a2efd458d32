// Types of the BFF's JSON contract (see the BFF contract document).
// Hand-written for now; this one file will later be generated from the BFF's OpenAPI
// description by openapi-typescript. Keep every contract type here and nothing else.

export type Role = 'customer' | 'agent' | 'lead';

export interface User {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export interface SessionResponse {
  user: User;
}

export interface SignInRequest {
  email: string;
  password: string;
}

/** Money in integer minor units (cents) plus an ISO 4217 currency. Never a float. */
export interface Money {
  amountMinor: number;
  currency: string;
}

export type OrderStatus = 'paid' | 'shipped' | 'delivered';

export interface OrderLine {
  id: string;
  productTitle: string;
  quantity: number;
  unitPrice: Money;
  paid: Money;
}

export interface Order {
  id: string;
  placedAt: string;
  deliveredAt: string | null;
  status: OrderStatus;
  total: Money;
  lines: OrderLine[];
}

export interface OrdersResponse {
  orders: Order[];
}

export type CaseCategory =
  | 'damaged_item'
  | 'wrong_item'
  | 'missing_item'
  | 'not_delivered'
  | 'late_delivery'
  | 'quality'
  | 'billing'
  | 'refund_or_return'
  | 'other';

export type CasePriority = 'low' | 'normal' | 'high' | 'urgent';

export type CaseStatus = 'open' | 'in_progress' | 'waiting_on_customer' | 'resolved' | 'closed';

export interface PersonRef {
  id: string;
  name: string;
}

export interface Case {
  id: string;
  number: string;
  orderId: string;
  orderLineIds: string[];
  category: CaseCategory;
  subject: string;
  description: string;
  priority: CasePriority;
  status: CaseStatus;
  assignee: PersonRef | null;
  createdAt: string;
  updatedAt: string;
  firstResponseDueAt: string | null;
  resolutionDueAt: string | null;
  firstRespondedAt: string | null;
  slaBreached: boolean;
  etag: string;
  previousCaseNumber: string | null;
}

export type CaseSummary = Case;

export type AuthorRole = Role | 'system';

export interface Author {
  id: string;
  name: string;
  role: AuthorRole;
}

export interface Message {
  id: string;
  author: Author;
  body: string;
  internal: boolean;
  createdAt: string;
}

export type TimelineKind =
  | 'opened'
  | 'status_changed'
  | 'assigned'
  | 'priority_changed'
  | 'category_changed'
  | 'message_added'
  | 'note_added'
  | 'refund_event'
  | 'follow_up_opened';

export interface TimelineEntry {
  id: string;
  kind: TimelineKind;
  actor: Author;
  summary: string;
  createdAt: string;
  internal: boolean;
}

export interface Refund {
  id: string;
  number: string;
  status: string;
  total: Money;
  createdAt: string;
}

export interface CasePage {
  case: Case;
  messages: Message[];
  timeline: TimelineEntry[];
  order: Order | null;
  refunds: Refund[];
}

export interface CreateCaseRequest {
  orderId: string;
  category: CaseCategory;
  subject: string;
  description: string;
  orderLineIds?: string[];
}

export interface CaseResponse {
  case: Case;
}

export interface CaseListResponse {
  cases: CaseSummary[];
  nextPageToken: string | null;
}

export type AssigneeFilter = 'mine' | 'unassigned' | string;

export type CaseSort = 'newest' | 'oldest' | 'due';

export interface CaseListQuery {
  status?: CaseStatus[];
  priority?: CasePriority;
  category?: CaseCategory;
  assignee?: AssigneeFilter;
  breached?: boolean;
  q?: string;
  sort?: CaseSort;
  pageToken?: string;
  pageSize?: number;
}

export interface AddMessageRequest {
  body: string;
  internal?: boolean;
}

export interface AddMessageResponse {
  message: Message;
  case: Case;
}

export interface AssignRequest {
  assigneeId: string | null;
  etag: string;
}

export interface UpdateCaseRequest {
  etag: string;
  priority?: CasePriority;
  category?: CaseCategory;
}

export type StatusAction = 'wait' | 'work' | 'resolve' | 'close' | 'reopen';

export interface ChangeStatusRequest {
  action: StatusAction;
  etag: string;
}

export interface AgentsResponse {
  agents: PersonRef[];
}

export interface FieldError {
  field: string;
  message: string;
}

/** RFC 7807 problem details as the BFF sends them (application/problem+json). */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  reason?: string;
  errors?: FieldError[];
}
