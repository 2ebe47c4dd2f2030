import { describe, expect, it } from 'vitest';
import {
  acknowledgement,
  honouredFilter,
  listenFilter,
  listenNotification,
  listenResult,
} from './modern-listen.js';

const legacy = {
  tools: { listChanged: true },
  prompts: {},
  resources: { listChanged: true, subscribe: true },
};
const id = 'io.modelcontextprotocol/subscriptionId';

describe('subscriptions/listen', () => {
  it('honours only what was asked and what the legacy capabilities can deliver', () => {
    const requested = {
      toolsListChanged: true,
      promptsListChanged: true,
      resourcesListChanged: false,
      resourceSubscriptions: ['a://1', 'a://1', 7],
    };
    expect(honouredFilter(requested, legacy)).toEqual({
      toolsListChanged: true,
      resourceSubscriptions: ['a://1'],
    });
    expect(honouredFilter(requested, { tools: { listChanged: true }, resources: {} })).toEqual({
      toolsListChanged: true,
    });
    expect(honouredFilter(undefined, legacy)).toEqual({});
  });

  it('admits opted-in list changes and updates of subscribed URIs, with the subscription id', () => {
    const filter = listenFilter({ toolsListChanged: true, resourceSubscriptions: ['a://1'] });
    expect(
      listenNotification({ jsonrpc: '2.0', method: 'notifications/tools/list_changed' }, filter, 5),
    ).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
      params: { _meta: { [id]: 5 } },
    });
    const updated = {
      jsonrpc: '2.0' as const,
      method: 'notifications/resources/updated',
      params: { uri: 'a://1' },
    };
    expect(listenNotification(updated, filter, 5)?.params).toEqual({
      uri: 'a://1',
      _meta: { [id]: 5 },
    });
    const other = { ...updated, params: { uri: 'a://2' } };
    expect(listenNotification(other, filter, 5)).toBeUndefined();
    for (const method of ['notifications/prompts/list_changed', 'notifications/message']) {
      expect(listenNotification({ jsonrpc: '2.0', method }, filter, 5)).toBeUndefined();
    }
  });

  it('opens with an acknowledgement and ends with a result naming the subscription', () => {
    expect(acknowledgement({ toolsListChanged: true }, 'l')).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/subscriptions/acknowledged',
      params: { notifications: { toolsListChanged: true }, _meta: { [id]: 'l' } },
    });
    expect(listenResult('l', { name: 's', version: '1' })).toEqual({
      resultType: 'complete',
      _meta: { [id]: 'l', 'io.modelcontextprotocol/serverInfo': { name: 's', version: '1' } },
    });
  });
});
