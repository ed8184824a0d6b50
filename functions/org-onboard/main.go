// Command org-onboard is the Lambda function of the portal route "org-onboard".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("org-onboard") }
