export { ingestRoutes, timelineRoutes } from './ingest.routes';
export { IngestWriter, type EventOutcome, type WriteResult } from './writer';
export {
  getActivitySummary,
  getActivityTotals,
  getChannelPaths,
  hasAnyEvents,
  type ActivityRange,
  type ActivitySummary,
  type ActivityTotals,
  type ChannelPath,
  countEventsByProfileAndChannel,
  deleteEventsOfProfiles,
  listAllEventsOfProfiles,
  ingestMessages,
  identifyCustomer,
  recordEvents,
  type RecordedEvent,
  type TimelineEvent,
} from './ingest.service';
export { LIMITS } from './validate';
