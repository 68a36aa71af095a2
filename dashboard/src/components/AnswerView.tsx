// An item's consolidated answer drawn over its data: the image (when the browser can load it) scaled to the view's
// width, the shapes in the original image's pixels scaled with it, each labelled. Answers with nothing to draw
// (choices, text, spans, time segments) are listed under it; every label is also in the caption for screen readers.
import { useEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Circle, Image as KonvaImage, Layer, Line, Rect, Stage, Text } from "react-konva";
import { colourOf, decodeRle, drawingOf, type Shape } from "./answerShapes";
import "./resultViews.css";

const FALLBACK = { width: 640, height: 480 };

/** Only links a browser can fetch (an s3:// link cannot be shown). */
function loadable(url: string): boolean {
  return /^(https?:|data:|blob:|\/)/.test(url);
}

function useImage(url: string): HTMLImageElement | null {
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    setImage(null);
    if (!loadable(url)) return;
    const element = new window.Image();
    element.onload = () => setImage(element);
    element.src = url;
    return () => {
      element.onload = null;
    };
  }, [url]);
  return image;
}

function useWidth(maxWidth: number) {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(maxWidth);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(Math.min(maxWidth, element.clientWidth || maxWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, [maxWidth]);
  return { ref, width };
}

function maskCanvas(shape: Extract<Shape, { kind: "mask" }>): HTMLCanvasElement | null {
  if (shape.width <= 0 || shape.height <= 0) return null;
  const canvas = document.createElement("canvas");
  canvas.width = shape.width;
  canvas.height = shape.height;
  const context = canvas.getContext("2d");
  if (!context) return null;
  const bits = decodeRle(shape.counts, shape.width, shape.height);
  const pixels = context.createImageData(shape.width, shape.height);
  const hex = colourOf(shape.label);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  bits.forEach((bit, i) => {
    if (!bit) return;
    pixels.data.set([r, g, b, 110], i * 4);
  });
  context.putImageData(pixels, 0, 0);
  return canvas;
}

/** A mask is decoded once (a full-size bitmap), not on every render. */
function MaskNode({ shape }: { shape: Extract<Shape, { kind: "mask" }> }) {
  const canvas = useMemo(() => maskCanvas(shape), [shape]);
  return canvas ? <KonvaImage image={canvas} x={0} y={0} name="shape" /> : null;
}

function ShapeNode({ shape, scale }: { shape: Shape; scale: number }) {
  const colour = colourOf(shape.label);
  const stroke = 2 / scale; // two screen pixels whatever the scale
  const font = 13 / scale;
  const label = (x: number, y: number, text = shape.label) => (
    <Text x={x} y={Math.max(0, y - font - 2 / scale)} text={text} fontSize={font} fill="#fff" stroke="#000" strokeWidth={0.4 / scale} name="label" />
  );
  switch (shape.kind) {
    case "rect":
      return (
        <>
          <Rect x={shape.x} y={shape.y} width={shape.w} height={shape.h} stroke={colour} strokeWidth={stroke} name="shape" />
          {label(shape.x, shape.y)}
        </>
      );
    case "line":
      return (
        <>
          <Line points={shape.points} closed={shape.closed} stroke={colour} strokeWidth={stroke} fill={shape.closed ? `${colour}33` : undefined} name="shape" />
          {shape.showLabel && shape.points.length >= 2 && label(shape.points[0], shape.points[1])}
        </>
      );
    case "point":
      return (
        <>
          <Circle x={shape.x} y={shape.y} radius={4 / scale} fill={colour} stroke="#fff" strokeWidth={1 / scale} name="shape" />
          {label(shape.x + 5 / scale, shape.y)}
        </>
      );
    case "text":
      return label(shape.x, shape.y);
    case "mask":
      return <MaskNode shape={shape} />;
  }
}

/** The answer of one item over its data. `result` is retrieveResult/listResults' `result`. */
export function AnswerView({ resourceURL, result, maxWidth = 720 }: { resourceURL: string; result: unknown; maxWidth?: number }) {
  const { t } = useTranslation();
  const drawing = useMemo(() => drawingOf(result), [result]);
  const image = useImage(resourceURL);
  const { ref, width } = useWidth(maxWidth);
  const natural = {
    width: drawing.width ?? image?.naturalWidth ?? FALLBACK.width,
    height: drawing.height ?? image?.naturalHeight ?? FALLBACK.height,
  };
  const scale = width / natural.width;
  const labels = [...new Set(drawing.shapes.map((shape) => shape.label).filter(Boolean))];
  const drawable = drawing.shapes.length > 0 || (image !== null && drawing.notes.length === 0);
  return (
    <figure className="answer-view" ref={ref}>
      {drawable && (
        <Stage width={width} height={Math.round(natural.height * scale)} scaleX={scale} scaleY={scale}>
          <Layer listening={false}>
            {image ? (
              <KonvaImage image={image} width={natural.width} height={natural.height} />
            ) : (
              <Rect width={natural.width} height={natural.height} fill="#2b2b2b" />
            )}
            {drawing.shapes.map((shape, i) => (
              <ShapeNode key={i} shape={shape} scale={scale} />
            ))}
          </Layer>
        </Stage>
      )}
      <figcaption>
        {!image && drawing.shapes.length > 0 && <p className="muted">{t("answerView.noImage")}</p>}
        {labels.length > 0 && (
          <p>
            {t("answerView.labels")}: {labels.join(", ")}
          </p>
        )}
        {drawing.notes.length > 0 && (
          <dl className="answer-notes">
            {drawing.notes.map(([nodeId, text]) => (
              <div key={nodeId}>
                <dt>{nodeId || t("answerView.answer")}</dt>
                <dd>{text}</dd>
              </div>
            ))}
          </dl>
        )}
        {drawing.shapes.length === 0 && drawing.notes.length === 0 && <p className="muted">{t("answerView.none")}</p>}
      </figcaption>
    </figure>
  );
}
