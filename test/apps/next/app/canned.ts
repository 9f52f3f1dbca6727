/**
 * A small canned Responses API stream (one finished image), reduced by the server component with
 * `react-partial-images/core`: no request, no client code.
 */

/** A 24×24 PNG, the canned item's final image. */
const TINY_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAACXBIWXMAAAPoAAAD6AG1e1JrAAAEBUlEQVQ4yw3MIc9HQADA4ffj/KMoCCZdMkEw6ZIJgkmXTBBMumSC8Jt0yQTBpEsmiqKP8no+wPP383A8XA/fQ3hEHomH9Mg9Sg/l0Xh0Htpj9MDDeKweu4f1uDxuj8fj9fj7BTgBboAfIAKigCRABuQBZYAKaAK6AB0wBhBgAtaAPcAGXAF3wBPwBl8kcASuwBcIQSRIBFKQC0qBEjSCTqAFowCBEayCXWAFl+AWPIJXfFGIE+KG+CEiJApJQmRIHlKGqJAmpAvRIWMIISZkDdlDbMgVcoc8IW/4RTFOjBvjx4iYKCaJkTF5TBmjYpqYLkbHjDHEmJg1Zo+xMVfMHfPEvPEXpTgpboqfIlKilCRFpuQpZYpKaVK6FJ0yppBiUtaUPcWmXCl3ypPypl8kcSSuxJcISSRJJFKSS0qJkjSSTqIlowSJkaySXWIll+SWPJJXflGGk+Fm+BkiI8pIMmRGnlFmqIwmo8vQGWMGGSZjzdgzbMaVcWc8GW/2RQVOgVvgF4iCqCApkAV5QVmgCpqCrkAXjAUUmIK1YC+wBVfBXfAUvMUXVTgVboVfISqiiqRCVuQVZYWqaCq6Cl0xVlBhKtaKvcJWXBV3xVPxVl+kcBSuwlcIRaRIFFKRK0qFUjSKTqEVowKFUayKXWEVl+JWPIpXfVGNU+PW+DWiJqpJamRNXlPWqJqmpqvRNWMNNaZmrdlrbM1Vc9c8NW/9RS1Oi9vit4iWqCVpkS15S9miWpqWrkW3jC20mJa1ZW+xLVfL3fK0vO0X9Tg9bo/fI3qinqRH9uQ9ZY/qaXq6Ht0z9tBjetaevcf2XD13z9Pz9l+kcTSuxtcITaRJNFKTa0qN0jSaTqM1owaN0ayaXWM1l+bWPJpXf9GAM+AO+ANiIBpIBuRAPlAOqIFmoBvQA+MAA2ZgHdgH7MA1cA88A+/wRRPOhDvhT4iJaCKZkBP5RDmhJpqJbkJPjBNMmIl1Yp+wE9fEPfFMvNMXzTgz7ow/I2aimWRGzuQz5YyaaWa6GT0zzjBjZtaZfcbOXDP3zDPzzl9kcAyuwTcIQ2RIDNKQG0qDMjSGzqANowGDMayG3WANl+E2PIbXfNGCs+Au+AtiIVpIFuRCvlAuqIVmoVvQC+MCC2ZhXdgX7MK1cC88C+/yRRvOhrvhb4iNaCPZkBv5RrmhNpqNbkNvjBtsmI11Y9+wG9fGvfFsvNsXHTgH7oF/IA6ig+RAHuQH5YE6aA66A30wHnBgDtaD/cAeXAf3wXPwHl9kcSyuxbcIS2RJLNKSW0qLsjSWzqItowWLsayW3WItl+W2PJbXftGJc+Ke+CfiJDpJTuRJflKeqJPmpDvRJ+MJJ+ZkPdlP7Ml1cp88J+/JP0gBs247BBesAAAAAElFTkSuQmCC';

/** The wire events of a response with one image, as the Responses API streams them. */
export const CANNED_EVENTS: readonly unknown[] = [
  {
    type: 'response.created',
    sequence_number: 0,
    response: { id: 'resp_canned', object: 'response', status: 'in_progress', output: [] },
  },
  {
    type: 'response.output_item.added',
    sequence_number: 1,
    output_index: 0,
    item: { id: 'ig_canned', type: 'image_generation_call', status: 'in_progress' },
  },
  {
    type: 'response.output_item.done',
    sequence_number: 2,
    output_index: 0,
    item: {
      id: 'ig_canned',
      type: 'image_generation_call',
      status: 'completed',
      output_format: 'png',
      size: '1024x1024',
      revised_prompt: 'A small gradient, rendered on the server',
      result: TINY_PNG,
    },
  },
  {
    type: 'response.completed',
    sequence_number: 3,
    response: { id: 'resp_canned', object: 'response', status: 'completed', output: [] },
  },
];
