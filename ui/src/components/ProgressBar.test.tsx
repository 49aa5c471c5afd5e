import { render, screen } from "@testing-library/preact";
import { describe, expect, it } from "vitest";
import { ProgressBar, percent, progressRatio } from "./ProgressBar";

describe("ProgressBar", () => {
  it("computes ratios and percentages safely", () => {
    expect(progressRatio(412, 800)).toBe(0.515);
    expect(progressRatio(130, 120)).toBe(1);
    expect(progressRatio(5, 0)).toBe(0);
    expect(progressRatio(-1, 10)).toBe(0);
    expect(percent(412, 800)).toBe(51);
    expect(percent(130, 120)).toBe(108);
    expect(percent(3, 0)).toBe(0);
  });

  it("is a progressbar with its figures, the fill drawn in SVG", () => {
    const { container } = render(<ProgressBar value={412} max={800} label="Famiglie" valueText="412 su 800" showText />);
    const bar = screen.getByRole("progressbar", { name: "Famiglie" });
    expect(bar.getAttribute("aria-valuemin")).toBe("0");
    expect(bar.getAttribute("aria-valuemax")).toBe("800");
    expect(bar.getAttribute("aria-valuenow")).toBe("412");
    expect(bar.getAttribute("aria-valuetext")).toBe("412 su 800");
    expect(container.querySelector(".progress__fill")?.getAttribute("width")).toBe("51.50");
    expect(container.querySelector("[style]")).toBeNull();
  });

  it("caps the bar, not the text, and shows nothing for zero", () => {
    const { container } = render(<ProgressBar value={130} max={120} label="Volontari" valueText="130 su 120" />);
    expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("120");
    expect(container.querySelector(".progress__fill")?.getAttribute("width")).toBe("100.00");
    expect(container.querySelector(".progress--done")).not.toBeNull();
    document.body.innerHTML = "";
    const empty = render(<ProgressBar value={0} max={0} label="x" valueText="0" />);
    expect(empty.container.querySelector(".progress__fill")).toBeNull();
  });
});
