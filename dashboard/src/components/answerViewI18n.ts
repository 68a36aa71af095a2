// AnswerView's strings (registered in lib/i18n.ts BUNDLES as "answerView").
export default {
  en: {
    noImage: "The data cannot be shown here: the answer is drawn on a blank image of its size.",
    labels: "Labels",
    answer: "Answer",
    none: "No answer yet.",
  },
  zh: {
    noImage: "数据无法在此显示：答案绘制在同尺寸的空白图上。",
    labels: "标签",
    answer: "答案",
    none: "暂无答案。",
  },
};
