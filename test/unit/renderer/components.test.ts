import { createTestingPinia } from '@pinia/testing';
import { flushPromises, mount } from '@vue/test-utils';
import { beforeEach, describe, expect, test, vi } from 'vitest';
import ContainerTable from '../../../renderer/components/ContainerTable.vue';
import LaunchDialog from '../../../renderer/components/LaunchDialog.vue';
import { useContainersStore } from '../../../renderer/stores/containers';
import { useUiStore } from '../../../renderer/stores/ui';
import { CONFIG, fakeEngine, info } from './fake-engine';

let pinia: ReturnType<typeof createTestingPinia>;
beforeEach(() => {
  pinia = createTestingPinia({ createSpy: vi.fn, stubActions: false });
});

describe('ContainerTable', () => {
  test('renders only the visible rows of 1000 containers', async () => {
    fakeEngine({ 'vm.info': () => Array.from({ length: 1000 }, (_, i) => info(i, `c${i}`, i % 2 ? 'RUNNING' : 'BUILDING')) });
    await useContainersStore().hydrate();
    const w = mount(ContainerTable, { props: { filter: '' }, global: { plugins: [pinia] } });
    await flushPromises();
    const rendered = w.findAll('.viewport .row');
    expect(rendered.length).toBeGreaterThan(10);
    expect(rendered.length).toBeLessThan(80);
    expect(rendered[0]!.attributes('data-name')).toBe('c0');
  });

  test('filters by words and sorts by a column', async () => {
    fakeEngine({ 'vm.info': () => [info(0, 'alpha', 'RUNNING'), info(1, 'beta', 'QUIT'), info(2, 'alphabet', 'BUILDING')] });
    await useContainersStore().hydrate();
    const w = mount(ContainerTable, { props: { filter: 'alpha' }, global: { plugins: [pinia] } });
    await flushPromises();
    expect(w.findAll('.viewport .row').map((r) => r.attributes('data-name'))).toEqual(['alpha', 'alphabet']);
    await w.setProps({ filter: '' });
    await w
      .findAll('.head button')
      .find((b) => b.text().startsWith('name'))!
      .trigger('click');
    await w
      .findAll('.head button')
      .find((b) => b.text().startsWith('name'))!
      .trigger('click');
    expect(w.findAll('.viewport .row').map((r) => r.attributes('data-name'))).toEqual(['beta', 'alphabet', 'alpha']);
  });

  test('multi-selects with the checkboxes and shift-click', async () => {
    fakeEngine({ 'vm.info': () => Array.from({ length: 5 }, (_, i) => info(i)) });
    await useContainersStore().hydrate();
    const w = mount(ContainerTable, { props: { filter: '' }, global: { plugins: [pinia] } });
    await flushPromises();
    const cells = w.findAll('.viewport .c-sel');
    await cells[1]!.trigger('click');
    await cells[3]!.trigger('click', { shiftKey: true });
    expect([...useUiStore().selected].sort()).toEqual([1, 2, 3]);
  });

  test('state updates from events re-render the row', async () => {
    const { emit } = fakeEngine({ 'vm.info': () => [info(0, 'x')] });
    await useContainersStore().hydrate();
    const w = mount(ContainerTable, { props: { filter: '' }, global: { plugins: [pinia] } });
    await flushPromises();
    emit('containers.changed', [info(0, 'x', 'RUNNING')]);
    await flushPromises();
    expect(w.find('.viewport .row').attributes('data-state')).toBe('RUNNING');
  });
});

describe('LaunchDialog', () => {
  test('shows the equivalent minimega commands and launches with the config', async () => {
    const { call } = fakeEngine({ 'config.get': () => CONFIG, 'vm.launch': () => [{ id: 0, name: 'foo0' }] });
    const w = mount(LaunchDialog, { global: { plugins: [pinia] } });
    await flushPromises();
    await w.find('input[name=names]').setValue('foo[0-2]');
    await w.find('input[name=memory]').setValue('512');
    await w.find('input[name=filesystem]').setValue('/srv/fs');
    expect(w.find('[data-testid=minimega-commands]').text()).toBe('vm config filesystem /srv/fs\nvm config memory 512\nvm launch container foo[0-2]');
    await w.find('form').trigger('submit');
    await flushPromises();
    const [, names, config] = call.mock.calls.find(([n]) => n === 'vm.launch')!;
    expect(names).toBe('foo[0-2]');
    expect(config).toMatchObject({ memory: 512, filesystem: '/srv/fs' });
  });

  test('shows the engine validation message of vm.launch', async () => {
    fakeEngine({ 'config.get': () => CONFIG, 'vm.launch': () => Promise.reject(new Error('memory: invalid value 0 (must be ≥ 4 MB)')) });
    const w = mount(LaunchDialog, { global: { plugins: [pinia] } });
    await flushPromises();
    await w.find('input[name=names]').setValue('a');
    await w.find('input[name=memory]').setValue('0');
    await w.find('form').trigger('submit');
    await flushPromises();
    expect(w.find('[data-testid=launch-error]').text()).toBe('memory: invalid value 0 (must be ≥ 4 MB)');
  });
});
