// Command org-audit is the Lambda function of the portal route "org-audit".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-audit") }
