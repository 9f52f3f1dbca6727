import { describe, expect, it } from 'vitest';
import { createPartialImagesStore } from '../../src/core';
import { EXAMPLE_PROMPTS, replayForPrompt, scenarioFromPrompt } from '../../stories/replay';

describe('scenarioFromPrompt', () => {
  it('defaults to one image, OpenAI framing, fast network, no failure', () => {
    const { replay, transport, label } = scenarioFromPrompt('a cat on a sofa');
    expect(replay.images).toBe(1);
    expect(replay.failure).toBeUndefined();
    expect(transport).toEqual({ style: 'openai', network: 'fast' });
    expect(label).toMatch(/^1 image \(\w+/);
  });

  it.each([
    ['two cats', 2],
    ['Draw 3 dogs', 3],
    ['four seasons', 4],
    ['a pair of boots', 2],
    ['1024 pixels wide', 1],
  ])('%s → %i image(s)', (prompt, images) => {
    expect(scenarioFromPrompt(prompt).replay.images).toBe(images);
  });

  it.each([
    ['show me an error', 'error'],
    ['this one should fail', 'error'],
    ['break the content policy', 'policy'],
    ['something NSFW', 'policy'],
    ['cut the connection', 'cut'],
    ['then drop it', 'cut'],
  ])('%s → failure %s', (prompt, failure) => {
    expect(scenarioFromPrompt(prompt).replay.failure).toBe(failure);
  });

  it('reads the quirks, the network, the framing and the speed', () => {
    const s = scenarioFromPrompt('Two forests at once, slow, via OpenRouter, azure style, fast');
    expect(s.replay).toMatchObject({ images: 2, parallel: true, generatingQuirk: true });
    expect(s.replay.scenes?.[0]).toBe('forest');
    expect(s.transport).toEqual({ style: 'openrouter', network: 'slow', speed: 4 });
    expect(scenarioFromPrompt('instantly').transport.speed).toBe(Number.POSITIVE_INFINITY);
    expect(scenarioFromPrompt('fewer previews').replay.deliveredPartials).toBe(1);
  });

  it('picks scenes from the words, in the order they appear, else from a format', () => {
    expect(scenarioFromPrompt('a forest and a city skyline').replay.scenes).toEqual([
      'forest',
      'city',
    ]);
    expect(scenarioFromPrompt('anything as webp').replay.scenes).toEqual(['city']);
  });

  it.each([
    ['Trees at dusk', ['forest', 'sunset']],
    ['a skyline', ['city']],
    ['golden hour on the beach', ['sunset']],
    ['skyscrapers downtown', ['city']],
    ['a foggy jungle', ['forest']],
    ['Mountains at night', ['sunset', 'city']],
  ])('synonyms: %s → %j', (prompt, scenes) => {
    const scenario = scenarioFromPrompt(prompt);
    expect(scenario.replay.scenes).toEqual(scenes);
    expect(scenario.match).toBe('words');
    expect(scenario.note).toMatch(/^Replay, not a real model \(no API key is set\): .*closest/);
  });

  it('says plainly when no scene fits the prompt, and what it shows instead', () => {
    const scenario = scenarioFromPrompt('a kitten waving hello');
    expect(scenario.match).toBe('fallback');
    const shown = scenario.replay.scenes?.[0];
    const noun = {
      sunset: 'a sunset over mountains',
      city: 'a city skyline',
      forest: 'a misty forest',
    };
    expect(scenario.note).toContain('no pre-made scene fits your prompt, so here is');
    expect(scenario.note).toContain(noun[shown as keyof typeof noun]);
    expect(scenarioFromPrompt('anything as webp').match).toBe('format');
  });

  it('is deterministic, and different prompts can pick different scenes', () => {
    const prompts = ['a', 'b', 'c', 'd', 'e', 'f'];
    const first = prompts.map((p) => scenarioFromPrompt(p).replay.scenes?.[0]);
    expect(prompts.map((p) => scenarioFromPrompt(p).replay.scenes?.[0])).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(1);
    const a = replayForPrompt('two cities').replay.sseText();
    expect(replayForPrompt('two cities').replay.sseText()).toBe(a);
  });

  it('every example prompt plays through the core to the expected end', async () => {
    for (const prompt of EXAMPLE_PROMPTS) {
      const { scenario, replay } = replayForPrompt(prompt);
      const store = createPartialImagesStore();
      await store.consume(
        replay.response({ ...scenario.transport, speed: Number.POSITIVE_INFINITY }),
      );
      const state = store.getState();
      const expected = {
        error: ['failed', 'provider-error'],
        policy: ['failed', 'response-failed'],
        cut: ['failed', 'stream-truncated'],
        none: ['completed', undefined],
      }[scenario.replay.failure ?? 'none'];
      expect([state.status, state.error?.code], prompt).toEqual(expected);
      expect(state.items.length, prompt).toBe(scenario.replay.images);
    }
  });
});
