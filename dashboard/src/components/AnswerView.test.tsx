import { render, screen } from "@testing-library/react";
import Konva from "konva";
import { afterEach, describe, expect, it } from "vitest";
import "../lib/i18n";
import { AnswerView } from "./AnswerView";
import { decodeRle, drawingOf, rotatedCorners } from "./answerShapes";

function stage(): Konva.Stage {
  const stages = Konva.stages;
  expect(stages.length).toBeGreaterThan(0);
  return stages[stages.length - 1];
}

describe("answer shapes", () => {
  it("decodes column-major RLE starting with zeros", () => {
    // 3 wide × 2 high; column-major pixels: (0,0) (0,1) (1,0) (1,1) (2,0) (2,1) → 0 1 1 0 0 1
    const bits = decodeRle([1, 2, 2, 1], 3, 2);
    // row-major: row 0 = x0 x1 x2 = 0 1 0 ; row 1 = 1 0 1
    expect(Array.from(bits)).toEqual([0, 1, 0, 1, 0, 1]);
  });

  it("turns a rotated box counter-clockwise on screen like the server's geometry", () => {
    const corners = rotatedCorners(10, 10, 4, 2, 90);
    // 90° counter-clockwise with y down: the box's top-left (-2,-1) goes to (-1, +2) relative to the centre.
    expect(corners[0][0]).toBeCloseTo(9);
    expect(corners[0][1]).toBeCloseTo(12);
  });

  it("reads every node's answer: boxes, points, polygons, lines, cuboids, masks, OCR, skeletons and notes", () => {
    const drawing = drawingOf({
      endNode: "end",
      answers: {
        box: { imageWidth: 200, imageHeight: 100, boxes: [{ label: "cat", x: 10, y: 20, w: 30, h: 40 }] },
        rot: { imageWidth: 200, imageHeight: 100, boxes: [{ label: "car", cx: 50, cy: 50, w: 20, h: 10, angle: 30 }] },
        pts: { imageWidth: 200, imageHeight: 100, points: [{ label: "eye", x: 5, y: 6 }] },
        poly: { imageWidth: 200, imageHeight: 100, polygons: [{ label: "roof", points: [[0, 0], [10, 0], [5, 5]] }] },
        line: { imageWidth: 200, imageHeight: 100, lines: [{ label: "lane", points: [[0, 0], [10, 10]] }] },
        cube: {
          imageWidth: 200,
          imageHeight: 100,
          cuboids: [{ label: "box3d", front: [[0, 0], [4, 0], [4, 4], [0, 4]], back: [[2, 2], [6, 2], [6, 6], [2, 6]] }],
        },
        mask: { imageWidth: 2, imageHeight: 2, masks: [{ label: "sky", counts: [1, 3] }] },
        ocr: { imageWidth: 200, imageHeight: 100, regions: [{ label: "word", text: "STOP", x: 1, y: 2, w: 3, h: 4 }] },
        pose: {
          imageWidth: 200,
          imageHeight: 100,
          skeleton: { keypoints: ["head", "neck"], edges: [[0, 1]] },
          instances: [{ label: "person", keypoints: [[10, 10, 2], [10, 20, 2]] }],
        },
        pick: { choice: "dog" },
        words: { text: "hello" },
      },
    });
    expect(drawing.width).toBe(200);
    const kinds = drawing.shapes.map((shape) => `${shape.kind}:${shape.label}`);
    expect(kinds).toEqual(
      expect.arrayContaining([
        "rect:cat",
        "line:car",
        "point:eye",
        "line:roof",
        "line:lane",
        "line:box3d",
        "mask:sky",
        "rect:word: STOP",
        "line:person",
        "point:head",
        "point:neck",
      ]),
    );
    // a cuboid: back face, front face and four edges between them
    expect(kinds.filter((kind) => kind === "line:box3d")).toHaveLength(6);
    expect(drawing.notes).toEqual([
      ["pick", "dog"],
      ["words", "hello"],
    ]);
  });

  it("has nothing to draw for no result", () => {
    expect(drawingOf(null)).toEqual({ width: null, height: null, shapes: [], notes: [] });
  });
});

describe("AnswerView", () => {
  afterEach(() => {
    Konva.stages.slice().forEach((s) => s.destroy());
  });

  it("draws boxes in the image's pixels scaled to the view's width, with their labels", () => {
    render(
      <AnswerView
        resourceURL="s3://bucket/u/cat_1.jpg"
        maxWidth={400}
        result={{ answers: { n1: { imageWidth: 800, imageHeight: 600, boxes: [{ label: "cat", x: 100, y: 50, w: 200, h: 100 }] } } }}
      />,
    );
    const drawn = stage();
    expect(drawn.width()).toBe(400);
    expect(drawn.height()).toBe(300);
    expect(drawn.scaleX()).toBeCloseTo(0.5);
    const rect = drawn.findOne<Konva.Rect>(".shape")!;
    expect([rect.x(), rect.y(), rect.width(), rect.height()]).toEqual([100, 50, 200, 100]);
    expect(rect.getClientRect().width).toBeCloseTo(100 + 2); // 200 px at half scale, plus a 2-screen-pixel stroke
    const label = drawn.findOne<Konva.Text>(".label")!;
    expect(label.text()).toBe("cat");
    expect(screen.getByText("Labels: cat")).toBeTruthy();
    // an s3:// link cannot be loaded by the browser: said, and the answer is still drawn
    expect(screen.getByText(/cannot be shown here/)).toBeTruthy();
  });

  it("paints a mask's pixels from its RLE", () => {
    render(<AnswerView resourceURL="" maxWidth={100} result={{ answers: { m: { imageWidth: 2, imageHeight: 2, masks: [{ label: "sky", counts: [1, 3] }] } } }} />);
    const image = stage().findOne<Konva.Image>(".shape")!;
    const canvas = image.image() as HTMLCanvasElement;
    expect([canvas.width, canvas.height]).toEqual([2, 2]);
    expect(screen.getByText("Labels: sky")).toBeTruthy();
  });

  it("lists answers with nothing to draw and says when there is no answer", () => {
    const { unmount } = render(<AnswerView resourceURL="" result={{ answers: { q1: { choice: "dog" } } }} />);
    expect(screen.getByText("q1")).toBeTruthy();
    expect(screen.getByText("dog")).toBeTruthy();
    expect(Konva.stages.length).toBe(0);
    unmount();
    render(<AnswerView resourceURL="" result={null} />);
    expect(screen.getByText("No answer yet.")).toBeTruthy();
  });
});
