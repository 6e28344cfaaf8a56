/** The pub/sub layer: topic names and patterns, the topic tree, messages, the Bus and a server's Topics. */
export { checkTopic, checkPattern, topicMatches, MAX_TOPIC_LENGTH } from './topic-name';
export { TopicTree } from './topic-tree';
export { TopicMessage, makeMessage, checkEventName, type MessageEncoder, type PublishOptions, type PublishData } from './message';
export { InProcessBus, isBus, type Bus, type BusListener } from './bus';
export { Topics, type TopicSubscriber, type TopicsStats } from './topics';
export { BATCH_JOIN_MAX_BYTES } from './pattern-entry';
