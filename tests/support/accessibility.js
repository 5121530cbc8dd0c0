() => {
  // WCAG 2.1 AA, as far as a script can check it: the contrast of every visible text node against
  // the first opaque background behind it (4.5:1, or 3:1 for large text), and a label for every
  // visible form control. Evaluated in the page; returns the problems found.
  const rgb = (c) => c.match(/[\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (node) => {
    for (; node; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length < 4 || c[3] === 1) return c;
    }
    return [255, 255, 255];
  };
  const problems = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let text = walker.nextNode(); text; text = walker.nextNode()) {
    const node = text.parentElement;
    if (!text.textContent.trim() || !node.checkVisibility()) continue;
    const style = getComputedStyle(node);
    const [a, b] = [lum(rgb(style.color)), lum(background(node))];
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) problems.push(`${ratio.toFixed(2)}: ${text.textContent.trim()}`);
  }
  for (const control of document.querySelectorAll("input, select, textarea")) {
    const unlabelled = control.checkVisibility() && !control.labels.length;
    if (unlabelled) problems.push(`no label: ${control.id}`);
  }
  return problems;
}
